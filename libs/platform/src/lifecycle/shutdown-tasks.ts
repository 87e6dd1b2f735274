import { Global, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';

/**
 * What factory providers opened and must close at shutdown (a factory's value, such as a TypeORM `DataSource`, has no
 * lifecycle hooks of its own). The tasks run at `onApplicationShutdown`, after every module's `onModuleDestroy` and
 * `beforeApplicationShutdown` (consumers and relays have stopped by then), the last added first.
 */
@Injectable()
export class ShutdownTasks implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly tasks: { readonly name: string; readonly run: () => Promise<void> | void }[] = [];

  add(name: string, run: () => Promise<void> | void): void {
    this.tasks.push({ name, run });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task.run();
      } catch (error) {
        // One failing close must not keep the others open.
        this.logger.error(`Closing ${task.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** `ShutdownTasks` for every module of the application (`PlatformModule` imports it). */
@Global()
@Module({ providers: [ShutdownTasks], exports: [ShutdownTasks] })
export class PlatformLifecycleModule {}
