// The part of camunda-external-task-client-js (3.1.0, plain JavaScript without types) the e2e specs use.
declare module 'camunda-external-task-client-js' {
  import { EventEmitter } from 'node:events';

  export interface TypedVariable {
    readonly type: string;
    readonly value: unknown;
    readonly valueInfo?: Readonly<Record<string, unknown>>;
  }

  export class Variables {
    constructor();
    get(name: string): unknown;
    getTyped(name: string): TypedVariable | undefined;
    getAll(): Record<string, unknown>;
    getAllTyped(): Record<string, TypedVariable>;
    set(name: string, value: unknown): this;
    setAll(values: Readonly<Record<string, unknown>>): this;
  }

  export interface Task {
    readonly id: string;
    readonly topicName: string;
    readonly workerId: string;
    readonly retries: number | null;
    readonly errorMessage: string | null;
    readonly errorDetails: string | null;
    readonly activityId: string;
    readonly processInstanceId: string;
    readonly processDefinitionKey: string;
    readonly businessKey: string | null;
    readonly lockExpirationTime: string;
    readonly priority: number;
    readonly variables: Variables;
  }

  export interface FailureOptions {
    readonly errorMessage?: string;
    readonly errorDetails?: string;
    readonly retries?: number;
    readonly retryTimeout?: number;
  }

  export interface TaskService {
    complete(task: Task, variables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(task: Task, options: FailureOptions): Promise<void>;
    handleBpmnError(task: Task, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task, newDuration: number): Promise<void>;
    unlock(task: Task): Promise<void>;
  }

  export interface ClientOptions {
    readonly baseUrl: string;
    readonly workerId?: string;
    readonly maxTasks?: number;
    readonly interval?: number;
    readonly lockDuration?: number;
    readonly autoPoll?: boolean;
    readonly asyncResponseTimeout?: number;
    readonly usePriority?: boolean;
  }

  export interface SubscribeOptions {
    readonly lockDuration?: number;
    readonly variables?: readonly string[];
    readonly businessKey?: string;
    readonly processDefinitionKey?: string;
    readonly localVariables?: boolean;
  }

  export type Handler = (args: { readonly task: Task; readonly taskService: TaskService }) => Promise<void> | void;

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    subscribe(topic: string, options: SubscribeOptions, handler: Handler): { unsubscribe(): void };
    subscribe(topic: string, handler: Handler): { unsubscribe(): void };
    start(): void;
    stop(): void;
  }
}
