import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import { forceCloseRental, waiveDue } from './user-rentals.service.ts';
import { AdminRentalOutput, ForceCloseInput, WaiveDueInput } from './users.schemas.ts';

/** A user's rentals: dues forgiven, stuck rentals closed — through the rental machine. */
export const adminRentalsRouter = router({
  waiveDue: adminProcedure(['finance'])
    .meta(
      adminRest(
        'POST',
        '/rentals/{rentalId}/waive-due',
        'Waive or reduce a rental due (through the rental machine)',
      ),
    )
    .input(WaiveDueInput)
    .output(AdminRentalOutput)
    .mutation(({ ctx, input }) => waiveDue(ctx, input)),

  forceClose: adminProcedure(['operations'])
    .meta(
      adminRest(
        'POST',
        '/rentals/{rentalId}/force-close',
        'Close a stuck rental as returned, lost or refunded (settled as a return)',
      ),
    )
    .input(ForceCloseInput)
    .output(AdminRentalOutput)
    .mutation(({ ctx, input }) => forceCloseRental(ctx, input)),
});
