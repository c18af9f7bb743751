import { createApiClient } from '@powerbank/api-client';
import {
  AdminActionLog,
  Notification,
  PointsTransaction,
  RentalIssue,
  StationIssue,
  Transaction,
  User,
  UserPoints,
  Wallet,
} from '@powerbank/db';
import { anyRow } from '@powerbank/testing';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  type SignedUp,
  signUp,
  signUpAdmin,
  TINY_PNG,
  testUploadDir,
  upload,
  useTestApi,
} from '../../testing/auth-helpers.ts';

const api = useTestApi({ env: { UPLOAD_DIR: testUploadDir() } });
const em = () => api().deps.orm.em.fork();
const as = (caller: SignedUp) => bearer(caller.token);
const pointsOf = async (userId: string) => (await em().findOneOrFail(UserPoints, { user: userId })).balance;

/** A user who submitted a KYC with a front image; its id. */
async function aKycSubmission(user: SignedUp): Promise<string> {
  const image = await upload(api(), user.token, { bytes: TINY_PNG, type: 'image/png', name: 'front.png' });
  expect(image.status, JSON.stringify(image.body)).toBe(201);
  const submitted = await api().rest(
    'POST',
    '/api/auth/kyc',
    { documentType: 'passport', documentNumber: `P${Date.now()}`, frontImageId: image.body.data.id },
    as(user),
  );
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  const queue = await api().rest(
    'GET',
    '/api/admin/kyc?limit=100',
    undefined,
    as(await signUpAdmin(api(), 'support')),
  );
  const item = queue.body.data.results.find((k: { userId: string }) => k.userId === user.userId);
  expect(item).toMatchObject({ status: 'pending', documents: ['front'], documentType: 'passport' });
  return item.id;
}

describe('KYC review', () => {
  it('shows the documents; approval tells the user and gives the KYC bonus once, even to two reviewers at once', async () => {
    const user = await signUp(api());
    const kycId = await aKycSubmission(user);
    const support = await signUpAdmin(api(), 'support');
    const ops = await signUpAdmin(api(), 'operations');
    const document = await api().rest(
      'GET',
      `/api/admin/kyc/${kycId}/documents/front`,
      undefined,
      as(support),
    );
    expect(document.body.data).toMatchObject({ mimeType: 'image/png', sizeBytes: TINY_PNG.length });
    expect(Buffer.from(document.body.data.contentBase64, 'base64')).toEqual(Buffer.from(TINY_PNG));
    expect(
      (await api().rest('GET', `/api/admin/kyc/${kycId}/documents/back`, undefined, as(support))).status,
    ).toBe(404);

    const points = await pointsOf(user.userId);
    const answers = await Promise.all(
      [support, ops].map((reviewer) =>
        api().rest('POST', `/api/admin/kyc/${kycId}/approve`, {}, as(reviewer)),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await pointsOf(user.userId)).toBe(points + 30);
    expect(await em().count(PointsTransaction, { user: user.userId, type: 'kyc_bonus' })).toBe(1);
    expect(await em().count(Notification, { user: user.userId, type: 'kyc_approved' })).toBe(1);
    expect(await em().count(AdminActionLog, { targetType: 'user_kyc', targetId: kycId })).toBe(1);
    const status = await api().rest('GET', '/api/auth/kyc-status', undefined, as(user));
    expect(status.body.data.status).toBe('approved');
  });

  it('rejection needs a reason, which the user is told; a resubmission comes back to the queue', async () => {
    const user = await signUp(api());
    const kycId = await aKycSubmission(user);
    const support = await signUpAdmin(api(), 'support');
    const reject = (body: Record<string, unknown>) =>
      api().rest('POST', `/api/admin/kyc/${kycId}/reject`, body, as(support));
    expect((await reject({})).status).toBe(400);
    const rejected = await reject({ reason: 'photo is blurred' });
    expect(rejected.body.data).toMatchObject({ status: 'rejected', rejectionReason: 'photo is blurred' });
    const [notice] = await em().find(Notification, { user: user.userId, type: 'kyc_rejected' });
    expect(notice?.body).toContain('photo is blurred');
    expect((await reject({ reason: 'again' })).status).toBe(409);
    const resubmitted = await api().rest('PATCH', '/api/auth/kyc', { documentNumber: 'P-NEW-1' }, as(user));
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect((await api().rest('POST', `/api/admin/kyc/${kycId}/approve`, {}, as(support))).status).toBe(200);
    expect(await em().count(Notification, { user: user.userId, type: { $like: 'kyc_%' } })).toBe(2);
  });
});

describe('refund review over REST', () => {
  it('lists the refunds waiting, approves one (wallet credited) and declines another', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const user = await signUp(api());
    const payments = await Promise.all(
      [400, 600].map(async (amount) => {
        const tx = em();
        const paid = anyRow(tx, Transaction, {
          user: tx.getReference(User, user.userId),
          type: 'rental',
          status: 'succeeded',
          amount,
          walletAmount: amount,
          gateway: 'wallet',
        });
        await tx.flush();
        return paid.id;
      }),
    );
    const refunds: string[] = [];
    for (const id of payments) {
      const asked = await api().rest(
        'POST',
        `/api/payment/refund/${id}`,
        { reason: 'station broken' },
        as(user),
      );
      expect(asked.status, JSON.stringify(asked.body)).toBe(200);
      refunds.push(asked.body.data.id);
    }
    const queue = await api().rest('GET', '/api/admin/refunds?limit=100', undefined, as(finance));
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    const mine = queue.body.data.results.filter((r: { user_id: string }) => r.user_id === user.userId);
    expect(mine.map((r: { id: string }) => r.id)).toEqual([...refunds].reverse());

    const wallet = (await em().findOneOrFail(Wallet, { user: user.userId })).balance;
    const approved = await api().rest(
      'POST',
      `/api/admin/refunds/${refunds[0]}/approve`,
      { note: 'ok' },
      as(finance),
    );
    expect(approved.body.data).toMatchObject({ status: 'processed', review_note: 'ok' });
    expect((await em().findOneOrFail(Wallet, { user: user.userId })).balance).toBe(wallet + 400);
    const declined = await api().rest(
      'POST',
      `/api/admin/refunds/${refunds[1]}/reject`,
      { note: 'used' },
      as(finance),
    );
    expect(declined.body.data.status).toBe('rejected');
    const [log] = await em().find(AdminActionLog, { targetId: refunds[1] });
    expect(log).toMatchObject({ action: 'refund.reject', reason: 'used' });
    const left = await api().rest('GET', '/api/admin/refunds?limit=100', undefined, as(finance));
    expect(left.body.data.results.filter((r: { user_id: string }) => r.user_id === user.userId)).toEqual([]);
    // The tRPC client has the same procedures under admin.
    const client = createApiClient({ url: 'http://api.test', fetch: api().fetch, token: finance.token });
    const processed = await client.admin.refunds.list.query({ status: 'processed' });
    expect(processed.results.map((r) => r.id)).toContain(refunds[0]);
  });
});

describe('issue reports', () => {
  it('lists unfinished station and rental issues, assigns one, resolves it once and tells the reporter', async () => {
    const support = await signUpAdmin(api(), 'support');
    const ops = await signUpAdmin(api(), 'operations');
    const reporter = await signUp(api());
    const tx = em();
    const stationIssue = anyRow(tx, StationIssue, { user: tx.getReference(User, reporter.userId) });
    const rentalIssue = anyRow(tx, RentalIssue, { user: tx.getReference(User, reporter.userId) });
    await tx.flush();
    const list = (query: string, caller = support) =>
      api().rest('GET', `/api/admin/issues?${query}`, undefined, as(caller));
    const ids = async (query: string, caller = support) =>
      (await list(query, caller)).body.data.results.map((i: { id: string }) => i.id);
    expect(await ids('kind=station&limit=100')).toContain(stationIssue.id);
    expect(await ids('kind=rental&limit=100')).toContain(rentalIssue.id);

    const assigned = await api().rest(
      'POST',
      `/api/admin/issues/station/${stationIssue.id}/assign`,
      { assigneeUserId: ops.userId },
      as(support),
    );
    expect(assigned.body.data).toMatchObject({ status: 'in_progress', subjectId: stationIssue.station.id });
    expect(await ids('kind=station&mine=true', ops)).toEqual([stationIssue.id]);
    expect(await ids('kind=station&mine=true')).toEqual([]);
    const notStaff = await api().rest(
      'POST',
      `/api/admin/issues/station/${stationIssue.id}/assign`,
      { assigneeUserId: reporter.userId },
      as(support),
    );
    expect(notStaff.status).toBe(400);

    const resolve = () =>
      api().rest(
        'POST',
        `/api/admin/issues/station/${stationIssue.id}/resolve`,
        { outcome: 'resolved', reason: 'slot 3 replaced' },
        as(ops),
      );
    const answers = await Promise.all([resolve(), resolve()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const done = answers.find((a) => a.status === 200);
    expect(done?.body.data).toMatchObject({ status: 'resolved', resolutionNote: 'slot 3 replaced' });
    expect(await ids('kind=station&limit=100')).not.toContain(stationIssue.id);
    expect(await ids('kind=station&status=resolved&limit=100')).toContain(stationIssue.id);
    const [notice] = await em().find(Notification, { user: reporter.userId, type: 'issue_resolved' });
    expect(notice?.body).toBe('slot 3 replaced');
    expect(
      (await em().find(AdminActionLog, { targetId: stationIssue.id }, { orderBy: { createdAt: 'asc' } })).map(
        (r) => r.action,
      ),
    ).toEqual(['station_issue.assign', 'station_issue.resolve']);
  });
});
