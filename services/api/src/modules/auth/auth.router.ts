import { authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import {
  deleteAccount,
  getMe,
  loginUser,
  logoutUser,
  refreshSession,
  registerDevice,
  registerUser,
  updateDevice,
} from './account.service.ts';
import {
  DeviceInput,
  DeviceOutput,
  DoneOutput,
  GetOtpInput,
  GetOtpOutput,
  LoginInput,
  MeOutput,
  NoInput,
  RefreshOutput,
  RegisterInput,
  SessionOutput,
  VerifyOtpInput,
  VerifyOtpOutput,
} from './auth.schemas.ts';
import { oauthRouter } from './oauth.router.ts';
import { sendOtp, verifyOtp } from './otp.service.ts';

const tags = ['auth'];

export const authRouter = router({
  getOtp: publicProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/get-otp', tags, summary: 'Text a 6-digit sign-in code' },
    })
    .input(GetOtpInput)
    .output(GetOtpOutput)
    .mutation(({ ctx, input }) => sendOtp(ctx, input)),

  verifyOtp: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/verify-otp',
        tags,
        summary:
          'Check the code: whether the phone has an account, and a verification token for login/register',
      },
    })
    .input(VerifyOtpInput)
    .output(VerifyOtpOutput)
    .mutation(({ ctx, input }) => verifyOtp(ctx, input)),

  register: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags,
        summary: 'Create the account of a verified phone (with wallet, points and signup bonus) and sign in',
      },
    })
    .input(RegisterInput)
    .output(SessionOutput)
    .mutation(({ ctx, input }) => registerUser(ctx, input)),

  login: publicProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/login', tags, summary: 'Sign in with a verified phone' },
    })
    .input(LoginInput)
    .output(SessionOutput)
    .mutation(({ ctx, input }) => loginUser(ctx, input)),

  logout: authedProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/logout', tags, protect: true, summary: 'Revoke this session' },
    })
    .input(NoInput)
    .output(DoneOutput)
    .mutation(({ ctx }) => logoutUser(ctx)),

  refresh: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/refresh',
        tags,
        protect: true,
        summary: 'Rotate the session token: a new one is returned, the presented one is revoked',
      },
    })
    .input(NoInput)
    .output(RefreshOutput)
    .mutation(({ ctx }) => refreshSession(ctx)),

  me: authedProcedure
    .meta({
      openapi: { method: 'GET', path: '/auth/me', tags, protect: true, summary: 'The signed-in user' },
    })
    .input(NoInput)
    .output(MeOutput)
    .query(({ ctx }) => getMe(ctx)),

  registerDevice: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/device',
        tags,
        protect: true,
        summary: 'Register this app installation and its push token',
      },
    })
    .input(DeviceInput)
    .output(DeviceOutput)
    .mutation(({ ctx, input }) => registerDevice(ctx, input)),

  updateDevice: authedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/auth/device',
        tags,
        protect: true,
        summary: 'Update a registered installation (e.g. a new push token)',
      },
    })
    .input(DeviceInput)
    .output(DeviceOutput)
    .mutation(({ ctx, input }) => updateDevice(ctx, input)),

  deleteAccount: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/auth/account',
        tags,
        protect: true,
        summary: 'Delete the account: sessions revoked, personal data anonymised, ledger kept',
      },
    })
    .input(NoInput)
    .output(DoneOutput)
    .mutation(({ ctx }) => deleteAccount(ctx)),

  oauth: oauthRouter,
});
