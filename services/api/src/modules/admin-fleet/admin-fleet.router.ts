import { adminProcedure, router } from '../../trpc/trpc.ts';
import {
  AdminStationOutput,
  CreateStationInput,
  ProvisionedStationOutput,
  RetireStationInput,
  UpdateStationInput,
} from './station-admin.schemas.ts';
import { createStation, retireStation, updateStation } from './station-admin.service.ts';
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
  create: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/stations',
        tags: ['admin'],
        protect: true,
        summary: 'Provision a station (operations): its broker credentials are shown once',
      },
    })
    .input(CreateStationInput)
    .output(ProvisionedStationOutput)
    .mutation(({ ctx, input }) => createStation(ctx, input)),
  update: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/admin/stations/{stationSn}',
        tags: ['admin'],
        protect: true,
        summary: 'Edit a station (operations): place, listing, amenities, media',
      },
    })
    .input(UpdateStationInput)
    .output(AdminStationOutput)
    .mutation(({ ctx, input }) => updateStation(ctx, input)),
  retire: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/stations/{stationSn}/retire',
        tags: ['admin'],
        protect: true,
        summary: 'Retire a station (operations): gone from the app, its broker account revoked',
      },
    })
    .input(RetireStationInput)
    .output(AdminStationOutput)
    .mutation(({ ctx, input }) => retireStation(ctx, input)),
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
