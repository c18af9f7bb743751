import { createHash } from 'node:crypto';
import type { ApiEnv } from '@powerbank/config';
import type { StationChangedEvent } from '@powerbank/protocol';
import type { v3 } from 'gbfs-typescript-types';
import type { Logger } from 'pino';
import type { LiveHub } from '../live/live-hub.ts';
import type { StationDirectorySource } from '../stations/station-directory.source.ts';
import type { DirectoryStation } from '../stations/station-directory.ts';

export const GBFS_FILES = ['gbfs', 'system_information', 'station_information', 'station_status'] as const;
export type GbfsFile = (typeof GBFS_FILES)[number];

/** One file as served: its text, a validator for conditional requests, and when its data last changed. */
export interface GbfsDocument {
  body: string;
  etag: string;
  lastModified: number;
  ttl: number;
}

/** What the feed keeps of a station between reloads; status and counts follow core's events. */
interface FeedStation {
  sn: string;
  name: string;
  address: string;
  city: string | null;
  lat: number;
  lon: number;
  capacity: number;
  status: DirectoryStation['status'];
  available: number;
  free: number;
  /** Epoch ms of the station's last message (GBFS `last_reported`). */
  lastReported: number;
  /** When an event last set status and counts: a reload read before it must not undo them. */
  liveAt: number;
}

export type GbfsSettings = Pick<
  ApiEnv,
  | 'GBFS_STATUS_TTL_S'
  | 'GBFS_INFO_TTL_S'
  | 'GBFS_SYSTEM_ID'
  | 'GBFS_SYSTEM_NAME'
  | 'GBFS_CONTACT_EMAIL'
  | 'GBFS_TIMEZONE'
>;

/** RFC 3339 to the second, as GBFS shows times. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A reload that started less than this after an event may have read the rows before it committed. */
const RELOAD_OVERLAP_MS = 5000;
/** How soon an event of a station the feed does not list brings a reload (coalescing the next ones). */
const RELOAD_SOON_MS = 1000;

/**
 * The GBFS v3.0 feed, kept in memory: stations loaded from the api's station directory
 * (once, then again every `GBFS_INFO_TTL_S` in the background), their status and counts moved
 * by core's `core.evt.station` events from the live hub. A request reads the rendered text:
 * no request reads the database, and a file is rendered again only after its data changed.
 */
export class GbfsFeed {
  readonly #stations = new Map<string, FeedStation>();
  readonly #rendered = new Map<GbfsFile, GbfsDocument>();
  /** gbfs.json and system_information.json change only with the configuration, i.e. with a restart. */
  readonly #bornAt = Date.now();
  #infoChangedAt = this.#bornAt;
  #statusChangedAt = this.#bornAt;
  #loaded: Promise<void> | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;
  #pendingReload: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      directory: StationDirectorySource;
      hub: LiveHub;
      settings: GbfsSettings;
      logger: Logger;
      /** Where the feed is reached, for gbfs.json's links (`…/gbfs/v3`). */
      baseUrl: string;
    },
  ) {
    options.hub.observe((event) => {
      if (event.topic === 'station') this.#apply(event.data, event.receivedAt);
    });
  }

  /** A file, loading the stations the first time (one load, however many ask at once). */
  async document(file: GbfsFile): Promise<GbfsDocument> {
    this.#loaded ??= this.#load();
    await this.#loaded;
    let document = this.#rendered.get(file);
    if (!document) {
      document = this.#render(file);
      this.#rendered.set(file, document);
    }
    return document;
  }

  stop(): void {
    clearInterval(this.#reloadTimer);
    clearTimeout(this.#pendingReload);
  }

  async #load(): Promise<void> {
    await this.#reload();
    this.#reloadTimer = setInterval(
      () =>
        void this.#reload().catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'GBFS feed: station reload failed; kept the last'),
        ),
      Math.max(1, this.options.settings.GBFS_INFO_TTL_S) * 1000,
    );
    this.#reloadTimer.unref();
  }

  /** One reload at a time, at most one a second, however many unknown stations speak meanwhile. */
  #reloadSoon(): void {
    if (this.#pendingReload) return;
    this.#pendingReload = setTimeout(() => {
      void this.#reload()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'GBFS feed: reload failed'))
        .finally(() => {
          this.#pendingReload = undefined;
        });
    }, RELOAD_SOON_MS);
    this.#pendingReload.unref();
  }

  async #reload(): Promise<void> {
    const startedAt = Date.now();
    const directory = await this.options.directory.get();
    const seen = new Set<string>();
    let infoChanged = false;
    let statusChanged = false;
    for (const entry of directory.all()) {
      if (!entry.listed) continue;
      seen.add(entry.sn);
      const before = this.#stations.get(entry.sn);
      const next = feedStation(entry);
      if (before && before.liveAt > startedAt - RELOAD_OVERLAP_MS) {
        // An event is newer than what this reload may have read: it keeps status and counts.
        Object.assign(next, pick(before, ['status', 'available', 'free', 'lastReported', 'liveAt']));
      }
      if (!before || infoOf(before) !== infoOf(next)) infoChanged = true;
      if (!before || statusOf(before) !== statusOf(next)) statusChanged = true;
      this.#stations.set(entry.sn, next);
    }
    for (const sn of this.#stations.keys()) {
      if (seen.has(sn)) continue;
      this.#stations.delete(sn);
      infoChanged = statusChanged = true;
    }
    if (infoChanged) this.#changed('info');
    if (statusChanged) this.#changed('status');
  }

  #apply(event: StationChangedEvent, receivedAt: number): void {
    const station = this.#stations.get(event.sn);
    if (!station) {
      // New, or made public since the last reload (or not public at all): read the directory again.
      if (this.#loaded) this.#reloadSoon();
      return;
    }
    station.status = event.status;
    station.available = event.slots.filter((slot) => slot.state === 'ready').length;
    station.free = event.slots.filter((slot) => slot.state === 'empty').length;
    station.lastReported = event.lastHeartbeatAt ?? station.lastReported;
    station.liveAt = receivedAt;
    this.#changed('status');
  }

  #changed(what: 'info' | 'status'): void {
    const now = Date.now();
    if (what === 'info') {
      this.#infoChangedAt = now;
      this.#rendered.delete('station_information');
    } else {
      this.#statusChangedAt = now;
      this.#rendered.delete('station_status');
    }
  }

  #render(file: GbfsFile): GbfsDocument {
    const { settings } = this.options;
    const infoTtl = settings.GBFS_INFO_TTL_S;
    switch (file) {
      case 'gbfs':
        return document<v3.Gbfs>(this.#bornAt, infoTtl, {
          feeds: GBFS_FILES.map((name) => ({ name, url: `${this.options.baseUrl}/${name}.json` })),
        });
      case 'system_information':
        return document<v3.SystemInformation>(this.#bornAt, infoTtl, {
          system_id: settings.GBFS_SYSTEM_ID,
          languages: ['en'],
          name: [{ text: settings.GBFS_SYSTEM_NAME, language: 'en' }],
          opening_hours: '24/7',
          feed_contact_email: settings.GBFS_CONTACT_EMAIL,
          timezone: settings.GBFS_TIMEZONE as v3.SystemInformation['data']['timezone'],
        });
      case 'station_information':
        return document<v3.StationInformation>(this.#infoChangedAt, infoTtl, {
          stations: [...this.#stations.values()].map((station) => ({
            station_id: station.sn,
            name: [{ text: station.name, language: 'en' }],
            lat: station.lat,
            lon: station.lon,
            address: station.address,
            ...(station.city ? { city: station.city } : {}),
            capacity: station.capacity,
          })),
        });
      case 'station_status':
        return document<v3.StationStatus>(this.#statusChangedAt, settings.GBFS_STATUS_TTL_S, {
          stations: [...this.#stations.values()].map((station) => ({
            station_id: station.sn,
            num_vehicles_available: station.available,
            num_docks_available: station.free,
            is_installed: true,
            // A power bank is taken or given back only where the station answers and is not under maintenance.
            is_renting: station.status === 'online',
            is_returning: station.status === 'online',
            last_reported: rfc3339(station.lastReported),
          })),
        });
    }
  }
}

/** A file's text with its envelope; the ETag is its content's hash, so equal text revalidates. */
function document<T extends { data: unknown }>(
  changedAt: number,
  ttl: number,
  data: T['data'],
): GbfsDocument {
  const body = JSON.stringify({ last_updated: rfc3339(changedAt), ttl, version: '3.0', data });
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { body, etag, lastModified: Math.floor(changedAt / 1000) * 1000, ttl };
}

function feedStation(entry: DirectoryStation): FeedStation {
  return {
    sn: entry.sn,
    name: entry.name,
    address: entry.address,
    city: entry.city,
    lat: entry.latitude,
    lon: entry.longitude,
    capacity: entry.slotCount,
    status: entry.status,
    available: entry.readyBatteries.length,
    free: entry.freeSlots,
    lastReported: entry.lastHeartbeatAt ? new Date(entry.lastHeartbeatAt).getTime() : 0,
    liveAt: 0,
  };
}

const infoOf = (s: FeedStation) => JSON.stringify([s.name, s.address, s.city, s.lat, s.lon, s.capacity]);
const statusOf = (s: FeedStation) => JSON.stringify([s.status, s.available, s.free, s.lastReported]);

function pick<T, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}
