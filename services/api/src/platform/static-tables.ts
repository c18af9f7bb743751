/**
 * The static tables the api serves from its cache, by database table name (the
 * name in cache invalidation subjects). Content tables join as they are served.
 */
export const STATIC_TABLES = {
  appVersion: 'app_version',
  appConfig: 'app_config',
  appUpdate: 'app_update',
  banner: 'banner',
  category: 'category',
  contactInfo: 'contact_info',
  contentPage: 'content_page',
  country: 'country',
  faq: 'faq',
  // Edited by staff (admin catalogue): changes are announced like the rest, for any reader that caches them.
  paymentMethod: 'payment_method',
  rentalPackage: 'rental_package',
  stationAmenity: 'station_amenity',
} as const;

export const STATIC_TABLE_NAMES: readonly string[] = Object.values(STATIC_TABLES);
