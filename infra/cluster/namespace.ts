/**
 * What a fresh cluster lacks that the dev server makes at start: the namespace (the dev server
 * always has `default`) and the project's search attributes (workflows/search-attributes.ts). Both
 * are created only when missing, so a restarted cluster keeps its own.
 *
 * Then a probe proves the whole path works before anyone uses the cluster: a workflow started
 * through the frontend (history writes it to PostgreSQL and hands its first task to matching),
 * polled from matching, and found by a visibility query on a custom search attribute. Each service
 * caches namespaces and search attributes for some seconds, so this is what "ready" means.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { BotNameKey, SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';

export interface NamespaceOptions {
  readonly namespace: string;
  readonly retentionDays: number;
  readonly log: (line: string) => void;
  readonly timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function retry<T>(what: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(500);
    }
  }
  throw new Error(`cluster not ready: ${what}: ${(last as Error)?.message ?? last}`);
}

const grpcCode = (err: unknown) => (err as { code?: number }).code;
const ALREADY_EXISTS = 6;

export async function prepareNamespace(address: string, o: NamespaceOptions): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const connection = await retry('frontend answering', deadline, async () => {
    const c = await Connection.connect({ address, connectTimeout: 2_000 });
    await c.workflowService.getSystemInfo({});
    return c;
  });
  try {
    await retry(`namespace ${o.namespace}`, deadline, async () => {
      try {
        await connection.workflowService.describeNamespace({ namespace: o.namespace });
        return;
      } catch {
        /* not there yet */
      }
      try {
        await connection.workflowService.registerNamespace({
          namespace: o.namespace,
          workflowExecutionRetentionPeriod: msToTs(o.retentionDays * 86_400_000),
        });
        o.log(`namespace ${o.namespace} registered (retention ${o.retentionDays} days)`);
      } catch (err) {
        if (grpcCode(err) !== ALREADY_EXISTS) throw err;
      }
      await connection.workflowService.describeNamespace({ namespace: o.namespace });
    });

    await retry('search attributes', deadline, async () => {
      const have = await connection.operatorService.listSearchAttributes({ namespace: o.namespace });
      const missing = SEARCH_ATTRIBUTE_KEYS.filter((k) => !(k.name in (have.customAttributes ?? {})));
      if (missing.length === 0) return;
      const searchAttributes = Object.fromEntries(
        missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
      );
      try {
        await connection.operatorService.addSearchAttributes({ namespace: o.namespace, searchAttributes });
        o.log(`search attributes registered: ${missing.map((k) => `${k.name}=${k.type}`).join(', ')}`);
      } catch (err) {
        if (grpcCode(err) !== ALREADY_EXISTS) throw err;
      }
      throw new Error('registered; checking again');
    });

    await probe(connection, o.namespace, deadline);
  } finally {
    await connection.close();
  }
}

/** Start → matching hands out its first task → visibility finds it by BotName; then terminate it. */
async function probe(connection: Connection, namespace: string, deadline: number): Promise<void> {
  const client = new Client({ connection, namespace });
  const id = `cluster-probe-${randomUUID()}`;
  const taskQueue = `cluster-probe-${randomUUID()}`;
  await retry('probe workflow start (frontend → history)', deadline, () =>
    client.workflow.start('clusterProbe', {
      workflowId: id,
      taskQueue,
      workflowExecutionTimeout: '5 minutes',
      typedSearchAttributes: [{ key: BotNameKey, value: id }],
    }),
  );
  try {
    await retry('probe task from matching', deadline, async () => {
      const task = await connection.withDeadline(Date.now() + 10_000, () =>
        connection.workflowService.pollWorkflowTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          identity: 'cluster-probe',
        }),
      );
      if (!task.taskToken?.length) throw new Error('no task yet');
    });
    await retry('probe visible by search attribute', deadline, async () => {
      const { count } = await client.workflow.count(`BotName = '${id}'`);
      if (count < 1) throw new Error('not visible yet');
    });
  } finally {
    await client.workflow
      .getHandle(id)
      .terminate('cluster probe done')
      .catch(() => {});
  }
}
