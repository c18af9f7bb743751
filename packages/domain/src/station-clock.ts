/**
 * How long before the broker received it a station's event may be dated: a
 * station's clock drifts, and a report can wait in the station while its
 * connection is down. Older than this, the station's word is not taken.
 */
export const STATION_CLOCK_MAX_SKEW_MS = 15 * 60_000;

/**
 * When a station event happened, for what it costs (a return ends the
 * rental's billing): the station's own clock, bounded by when the broker
 * received the message. The station cannot date an event after it was
 * received (a clock ahead cannot inflate a charge), nor more than
 * `maxSkewMs` before (a clock behind cannot erase more than that). A backlog
 * after the broker changes nothing: the receive time travels with the message.
 */
export function stationEventTime(
  stationTs: number,
  receivedAt: number,
  maxSkewMs = STATION_CLOCK_MAX_SKEW_MS,
): number {
  return Math.min(receivedAt, Math.max(receivedAt - maxSkewMs, stationTs));
}
