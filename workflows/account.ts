/**
 * A short workflow the control API starts to read an account's balance (GET /api/v1/balance):
 * the worker holds the exchange credentials, so the API asks it through Temporal instead of
 * holding keys itself. One read activity, a few retries, done; nothing about bots.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BalanceReport } from '../activities/account';
import { FailureType } from './failure-types';

export const ACCOUNT_BALANCE_WORKFLOW_TYPE = 'accountBalanceWorkflow';

const { accountBalance } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [FailureType.InvalidRequest, FailureType.CredentialsRejected],
  },
});

export async function accountBalanceWorkflow(input: { account: string }): Promise<BalanceReport> {
  return accountBalance({ account: input.account });
}
