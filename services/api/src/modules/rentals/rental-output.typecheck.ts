// Compile-time checks of the rental answer's one shape, run by `pnpm typecheck` (never executed):
// each `@ts-expect-error` fails the type check if the line below it compiles.
import type { Rental } from '@powerbank/db';
import { rentalAnswer } from './rental-output.ts';

declare const entity: Rental;
const links = { packageId: 1, startStationSn: null, returnStationSn: null, powerBankSerial: null };
// @ts-expect-error: an answer is made from the rental's record (`RentalRecord`), never from its entity.
rentalAnswer(entity, links);
