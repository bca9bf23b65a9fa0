import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trpc } from '../helpers/doors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { archive, INVALID_REPORT, judgeFixture, waitFor, type JudgeFixture } from './support.js';

let gw: TestGateway;
let fx: JudgeFixture;

beforeAll(async () => {
  gw = await startTestGateway({ JUDGE_LEASE_SECONDS: '1' });
  fx = await judgeFixture(gw);
});
afterAll(() => gw?.stop());

const worker = () => trpc(gw.url, { authorization: `Bearer ${fx.workerToken}` });
const submit = async () => (await fx.root.post('/api/judge/submit', { dataset: fx.datasetId, data: archive('good') })).json.cid as string;
const status = async (cid: string) => (await fx.root.get(`/api/judge/query?cid=${cid}`)).json;

describe('the judge queue over tRPC', () => {
  it('is for WORKER users only', async () => {
    const rootToken = (await trpc(gw.url).auth.login.mutate({ username: 'root', password: 'root-pass-1' })).token;
    await expect(trpc(gw.url, { authorization: `Bearer ${rootToken}` }).worker.claim.mutate({})).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    await expect(trpc(gw.url).worker.claim.mutate({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('claims oldest first, hands out the archive and dataset, and walks QUEUED -> RUNNING -> FINISHED', async () => {
    const a = await submit();
    const b = await submit();
    const c1 = await worker().worker.claim.mutate({});
    expect(c1).toMatchObject({ id: a, attempt: 1, dataset: { id: fx.datasetId, time: 5, memory: 256, cpu: 1 } });
    expect((await status(a)).status).toBe(1);
    const zip = await worker().worker.archive.query({ id: a, leaseId: c1!.leaseId });
    expect(Buffer.from(zip, 'base64').subarray(0, 2).toString()).toBe('PK');
    await worker().worker.start.mutate({ id: a, leaseId: c1!.leaseId });
    const running = await status(a);
    expect(running.status).toBe(2);
    expect(running.judgeTime).toMatch(/\+0000$/);
    await worker().worker.report.mutate({ id: a, leaseId: c1!.leaseId, result: INVALID_REPORT });
    const done = await status(a);
    expect(done).toMatchObject({ status: 3, valid: false, reason: INVALID_REPORT.reason, time: 0.5, exitcode: 0, workerName: 'worker1' });
    // A second report for a finished case is refused.
    await expect(worker().worker.report.mutate({ id: a, leaseId: c1!.leaseId, result: INVALID_REPORT })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    const c2 = await worker().worker.claim.mutate({});
    expect(c2?.id).toBe(b);
    await worker().worker.report.mutate({ id: b, leaseId: c2!.leaseId, result: INVALID_REPORT });
    expect(await worker().worker.claim.mutate({})).toBeNull();
  });

  it('puts a case whose lease ran out back to WAITING, refuses the late report, and gives up after 3 attempts', async () => {
    const cid = await submit();
    const first = await worker().worker.claim.mutate({});
    expect(first?.id).toBe(cid);
    await waitFor('the lease to expire', async () => (await status(cid)).status === 0, 5000);
    await expect(worker().worker.report.mutate({ id: cid, leaseId: first!.leaseId, result: INVALID_REPORT })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    await expect(worker().worker.renew.mutate({ id: cid, leaseId: first!.leaseId })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });

    const second = await worker().worker.claim.mutate({});
    expect(second).toMatchObject({ id: cid, attempt: 2 });
    await waitFor('the second lease to expire', async () => (await status(cid)).status === 0, 5000);
    const third = await worker().worker.claim.mutate({});
    expect(third).toMatchObject({ id: cid, attempt: 3 });
    const gaveUp = await waitFor(
      'the case to be given up',
      async () => {
        const s = await status(cid);
        return s.status === 3 && s;
      },
      5000,
    );
    expect(gaveUp).toMatchObject({ valid: false, cost: 0, reason: 'Judging failed 3 times!' });
    expect(await worker().worker.claim.mutate({})).toBeNull();
  });

  it('renewing keeps a lease alive past its first expiry', async () => {
    const cid = await submit();
    const c = await worker().worker.claim.mutate({});
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await worker().worker.renew.mutate({ id: cid, leaseId: c!.leaseId });
    }
    expect((await status(cid)).status).toBe(1);
    await worker().worker.report.mutate({ id: cid, leaseId: c!.leaseId, result: INVALID_REPORT });
    expect((await status(cid)).status).toBe(3);
  });

  it('wakes a waiting worker as soon as a case is submitted (long-poll, no polling)', async () => {
    const started = Date.now();
    const pending = worker().worker.claim.mutate({ waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    const submittedAt = Date.now();
    const cid = await submit();
    const claimed = await pending;
    expect(claimed?.id).toBe(cid);
    expect(Date.now() - submittedAt).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(5000);
    await worker().worker.report.mutate({ id: cid, leaseId: claimed!.leaseId, result: INVALID_REPORT });
  });

  it('validates reports', async () => {
    const cid = await submit();
    const c = await worker().worker.claim.mutate({});
    await expect(
      worker().worker.report.mutate({ id: cid, leaseId: c!.leaseId, result: { ...INVALID_REPORT, status: 7 as 3 } }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(worker().worker.report.mutate({ id: cid, leaseId: 'forged', result: INVALID_REPORT })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    await worker().worker.release.mutate({ id: cid, leaseId: c!.leaseId });
    expect((await status(cid)).status).toBe(0);
  });
});
