import { adminProcedure, router } from '../../trpc/trpc.ts';
import { runStationCommand } from './station-command.service.ts';
import {
  StationCommandInput,
  StationCommandOutput,
  StationSlotsInput,
  StationSlotsOutput,
} from './station-commands.schemas.ts';
import { stationSlots } from './station-slots.service.ts';

/** Operations runs the fleet; support may look at it. Mounted as `admin.stations`. */
export const adminFleetRouter = router({
  command: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/stations/{stationSn}/commands',
        tags: ['admin'],
        protect: true,
        summary:
          'Send a station a command (operations): eject, lock, unlock, sync, reboot, maintenance on/off; answered with the station acknowledgement',
      },
    })
    .input(StationCommandInput)
    .output(StationCommandOutput)
    .mutation(({ ctx, input }) => runStationCommand(ctx, input)),
  slots: adminProcedure(['operations', 'support'])
    .meta({
      openapi: {
        method: 'GET',
        path: '/admin/stations/{stationSn}/slots',
        tags: ['admin'],
        protect: true,
        summary: "A station's live slots (operations, support)",
      },
    })
    .input(StationSlotsInput)
    .output(StationSlotsOutput)
    .query(({ ctx, input }) => stationSlots(ctx, input)),
});
