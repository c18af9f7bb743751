import { adminProcedure, router } from '../../trpc/trpc.ts';
import {
  MarkPowerBankInput,
  MovePowerBankInput,
  PowerBankOutput,
  RegisterPowerBankInput,
} from './power-banks.schemas.ts';
import { markPowerBank, movePowerBank, registerPowerBank } from './power-banks.service.ts';

/** Power banks: operations only. Mounted as `admin.powerBanks`. */
export const adminPowerBanksRouter = router({
  register: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/power-banks',
        tags: ['admin'],
        protect: true,
        summary: 'Register a power bank (operations): in transit until a station reports it',
      },
    })
    .input(RegisterPowerBankInput)
    .output(PowerBankOutput)
    .mutation(({ ctx, input }) => registerPowerBank(ctx, input)),
  move: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/power-banks/{serial}/move',
        tags: ['admin'],
        protect: true,
        summary: 'Send a power bank to a station (operations)',
      },
    })
    .input(MovePowerBankInput)
    .output(PowerBankOutput)
    .mutation(({ ctx, input }) => movePowerBank(ctx, input)),
  mark: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/power-banks/{serial}/mark',
        tags: ['admin'],
        protect: true,
        summary: 'Mark a power bank lost, found or retired (operations); a rented one is refused',
      },
    })
    .input(MarkPowerBankInput)
    .output(PowerBankOutput)
    .mutation(({ ctx, input }) => markPowerBank(ctx, input)),
});
