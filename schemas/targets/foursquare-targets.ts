import { FSQ, target } from './target-def.js'

/** `foursquare.*`: v2 API check-ins. */
export const FOURSQUARE_TARGETS = [
  target('foursquare.id', 'string', FSQ, 'Check-in id.'),
  target('foursquare.shout', 'string', FSQ, 'Message written with the check-in.'),
  target('foursquare.timezone', 'string', FSQ, 'IANA time zone of the check-in.'),
  target('foursquare.venue.id', 'string', FSQ, 'Venue id.'),
  target('foursquare.venue.name', 'string', FSQ, 'Venue name.'),
  target('foursquare.venue.categories', 'string', FSQ, 'Venue category names.', { list: true }),
  target('foursquare.venue.city', 'string', FSQ, 'Venue city.'),
  target('foursquare.venue.state', 'string', FSQ, 'Venue state or region.'),
  target('foursquare.venue.country', 'string', FSQ, 'Venue country.'),
  target('foursquare.venue.country_code', 'string', FSQ, 'Venue ISO country code.'),
  target('foursquare.user.gender', 'string', FSQ, 'Gender as stated in the Foursquare profile.'),
  target('foursquare.user.home_city', 'string', FSQ, 'Home city from the Foursquare profile.'),
  target('foursquare.is_mayor', 'bool', FSQ, 'Whether the user was mayor of the venue.'),
  target('foursquare.likes.count', 'int', FSQ, 'Likes of the check-in.'),
  target('foursquare.photos.count', 'int', FSQ, 'Photos attached to the check-in.'),
] as const
