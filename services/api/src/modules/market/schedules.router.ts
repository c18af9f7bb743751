import { authedProcedure, router } from '../../trpc/trpc.ts';
import {
  ConfirmScheduleInput,
  ProposeScheduleInput,
  ScheduleOutput,
  ScheduleSettingsInput,
  ScheduleSettingsOutput,
  SchedulesOutput,
  SellerSchedulesInput,
  StaffInput,
  StaffOutput,
} from './handover.schemas.ts';
import { NoInput, OrderIdInput } from './market.schemas.ts';
import { sellerProcedure } from './market-roles.ts';
import { route } from './market-route.ts';
import {
  addStaff,
  confirmSchedule,
  getScheduleSettings,
  listStaff,
  orderSchedules,
  proposeSchedule,
  putScheduleSettings,
  sellerSchedules,
} from './schedules.service.ts';

/** Pickup and return appointments, the seller's hours and staff (issue 21; docs/marketplace.md). */
export const schedulesRouter = router({
  propose: authedProcedure
    .meta(route('POST', '/orders/{id}/schedules', 'Book or move the pickup or return slot of my paid order'))
    .input(ProposeScheduleInput)
    .output(ScheduleOutput)
    .mutation(({ ctx, input }) => proposeSchedule(ctx.em, ctx.auth.user.id, input)),

  ofOrder: authedProcedure
    .meta(route('GET', '/orders/{id}/schedules', "An order's pickup and return appointments"))
    .input(OrderIdInput)
    .output(SchedulesOutput)
    .query(({ ctx, input }) => orderSchedules(ctx.em, ctx.auth.user.id, input.id)),

  confirm: sellerProcedure
    .meta(route('POST', '/seller/schedules/{id}/confirm', 'Confirm an appointment, move it, assign staff'))
    .input(ConfirmScheduleInput)
    .output(ScheduleOutput)
    .mutation(({ ctx, input }) => confirmSchedule(ctx.em, ctx.auth.user.id, input)),

  upcoming: sellerProcedure
    .meta(route('GET', '/seller/schedules', 'My appointments between two times'))
    .input(SellerSchedulesInput)
    .output(SchedulesOutput)
    .query(({ ctx, input }) => sellerSchedules(ctx.em, ctx.auth.user.id, input)),

  settings: sellerProcedure
    .meta(route('GET', '/seller/schedule-settings', 'My opening hours, slot length and capacity, limits'))
    .input(NoInput)
    .output(ScheduleSettingsOutput)
    .query(({ ctx }) => getScheduleSettings(ctx.em, ctx.auth.user.id)),

  setSettings: sellerProcedure
    .meta(route('PUT', '/seller/schedule-settings', 'Set my opening hours, slot length and capacity, limits'))
    .input(ScheduleSettingsInput)
    .output(ScheduleSettingsOutput)
    .mutation(({ ctx, input }) => putScheduleSettings(ctx.em, ctx.auth.user.id, input)),

  staff: sellerProcedure
    .meta(route('GET', '/seller/staff', 'My staff (who may scan handovers and be assigned)'))
    .input(NoInput)
    .output(StaffOutput)
    .query(({ ctx }) => listStaff(ctx.em, ctx.auth.user.id)),

  addStaff: sellerProcedure
    .meta(route('POST', '/seller/staff', 'Add a user to my staff'))
    .input(StaffInput)
    .output(StaffOutput)
    .mutation(({ ctx, input }) => addStaff(ctx.em, ctx.auth.user.id, input.user_id)),
});
