import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isConnectionLost } from '@trellis/resilience';

/**
 * Runs `work` with its own query runner (one pooled connection) and always gives the connection back, or closes it
 * when `work` failed because the connection was lost: the pool would otherwise hand the dead connection to the next
 * caller before noticing it closed.
 */
export async function withQueryRunner<T>(dataSource: DataSource, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  let broken: unknown;
  try {
    return await work(queryRunner);
  } catch (error) {
    if (isConnectionLost(error)) broken = error;
    throw error;
  } finally {
    await release(queryRunner, broken);
  }
}

export interface TransactionOptions {
  readonly isolationLevel?: Parameters<QueryRunner['startTransaction']>[0];
}

/**
 * Runs `work` in one transaction: commits when it resolves, rolls back when it throws, and always gives the connection
 * back. When the rollback itself fails the connection may still be inside the transaction, so it is closed instead of
 * being returned to the pool for the next caller to inherit; so is a connection that was lost.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  let broken: unknown;
  try {
    await queryRunner.startTransaction(options.isolationLevel);
    const result = await work(queryRunner.manager);
    await queryRunner.commitTransaction();
    return result;
  } catch (error) {
    if (isConnectionLost(error)) broken = error;
    else if (queryRunner.isTransactionActive) {
      try {
        await queryRunner.rollbackTransaction();
      } catch (rollbackError) {
        broken = rollbackError;
      }
    }
    throw error;
  } finally {
    await release(queryRunner, broken);
  }
}

/**
 * TypeORM's Postgres query runner releases with an error (which makes pg's pool close the connection) only from its
 * private `releasePostgresConnection`; every other query runner just releases.
 */
async function release(queryRunner: QueryRunner, broken: unknown): Promise<void> {
  const postgres = queryRunner as unknown as { releasePostgresConnection?: (error: unknown) => Promise<void> };
  if (broken !== undefined && typeof postgres.releasePostgresConnection === 'function') {
    await postgres.releasePostgresConnection(broken instanceof Error ? broken : new Error(String(broken)));
  } else {
    await queryRunner.release();
  }
}
