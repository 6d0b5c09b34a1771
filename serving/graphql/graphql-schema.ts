/** The public GraphQL API, in SDL; resolvers are in graphql-resolvers.ts. */
export const TYPE_DEFS = /* GraphQL */ `
  "An instant: ISO 8601 text (UTC), or milliseconds since the epoch as input."
  scalar DateTime

  enum Granularity {
    MINUTE
    HOUR
    DAY
    WEEK
    MONTH
  }

  "What volume can be broken down by."
  enum VolumeDimension {
    TYPE
    LANGUAGE
    COUNTRY
    SENTIMENT
    GENDER
    SOURCE
  }

  "The lists top values are kept for."
  enum TopDimension {
    HASHTAGS
    MENTIONS
    DOMAINS
    AUTHORS
  }

  "Which layer a bucket came from: batch views before the watermark, speed views after it."
  enum Source {
    BATCH
    SPEED
    BOTH
  }

  type Query {
    "Compiles a CSDL definition without registering it: its hash and DPU cost, or its errors. It may refer (stream, tags) to your streams and to shared ones; any other hash reads as unknown."
    validateCsdl(csdl: String!): CsdlValidation!
    "One of your streams (null if you have none with that hash)."
    stream(hash: ID!): Stream
    "Your streams, oldest first."
    streams: [Stream!]!
    "The API key making this request."
    me: ApiKey!
    "Every API key (admin keys only)."
    apiKeys: [ApiKey!]!
  }

  type Mutation {
    "Registers a CSDL filter as one of your streams (the same filter is shared, not recounted). A key may have a limited number of streams (200 unless the server says otherwise) and names of up to 200 characters."
    createStream(csdl: String!, name: String!): Stream!
    "Removes your registration of a stream."
    deleteStream(hash: ID!): Boolean!
    "Lets every key refer to your stream in their filters (stream and tags with its hash), or stops letting them (filters registered meanwhile keep working). It does not let them read your stream's analytics."
    shareStream(hash: ID!, shared: Boolean!): Stream!
    "A new API key; the key is shown only in this answer (admin keys only)."
    createApiKey(name: String!, admin: Boolean = false): CreatedApiKey!
    "Revokes a key at once on this server, within seconds on others (admin keys only)."
    revokeApiKey(id: ID!): ApiKey!
  }

  type CsdlValidation {
    valid: Boolean!
    hash: String
    "Hourly DPU cost."
    dpu: Float
    errors: [CsdlError!]!
  }

  type CsdlError {
    "1-based; columns count code points."
    line: Int!
    column: Int!
    "The offending text as UTF-16 offsets [start, end), for editors."
    start: Int!
    end: Int!
    code: String!
    message: String!
  }

  type ApiKey {
    id: ID!
    name: String!
    admin: Boolean!
    createdAt: DateTime!
    revokedAt: DateTime
  }

  type CreatedApiKey {
    "The key itself: keep it, it cannot be shown again."
    key: String!
    apiKey: ApiKey!
  }

  type Stream {
    hash: ID!
    "Your name for it."
    name: String!
    csdl: String!
    dpu: Float!
    createdAt: DateTime!
    "Whether you let other keys refer to this stream (shareStream)."
    shared: Boolean!
    "Whether the batch views hold this stream's history yet (the next batch run backfills it)."
    history: StreamHistory!
    "Interactions per bucket over [from, to), both whole buckets; optionally per dimension value."
    timeseries(
      from: DateTime!
      to: DateTime!
      granularity: Granularity!
      dimension: VolumeDimension
    ): Timeseries!
    "Distinct authors over [from, to) (a HyperLogLog estimate)."
    uniqueAuthors(from: DateTime!, to: DateTime!): UniqueAuthors!
    "The k most frequent values of a list over [from, to) (SpaceSaving counts with error bounds)."
    top(dimension: TopDimension!, from: DateTime!, to: DateTime!, k: Int = 10): TopValues!
    "Authors ranked by interactions, retweets and replies received over [from, to)."
    influencers(from: DateTime!, to: DateTime!, k: Int = 10): Influencers!
    "Link domains ranked by links shared over [from, to)."
    domains(from: DateTime!, to: DateTime!, k: Int = 10): Domains!
  }

  type StreamHistory {
    "True once a batch version built with this stream is served: answers before the watermark then count its history; until then they read as empty (the speed layer counts it from registration on)."
    complete: Boolean!
    "The batch version served (0: none yet)."
    batchVersion: Int!
    watermark: DateTime
  }

  "An interaction as JSON, keyed by CSDL target paths' namespaces."
  scalar Interaction

  "One live match and the cursor to resume after it."
  type LiveMatch {
    cursor: String!
    interaction: Interaction!
  }

  type Subscription {
    "One of your streams as it matches (over SSE: Accept: text/event-stream). Resume with the last cursor received; a subscriber that falls behind is ended with a SLOW_CONSUMER error."
    matches(stream: ID!, cursor: String): LiveMatch!
  }

  "Where an answer came from: one batch watermark per answer."
  type Coverage {
    "Batch answers for buckets before it, the speed layer from it on (null: no batch version yet)."
    watermark: DateTime
    batchVersion: Int!
    "View rows read from each layer."
    batchRows: Int!
    speedRows: Int!
  }

  type Timeseries {
    coverage: Coverage!
    points: [Point!]!
  }

  type Point {
    at: DateTime!
    "The dimension's value; empty for the total."
    value: String!
    count: Float!
    source: Source!
  }

  type UniqueAuthors {
    coverage: Coverage!
    estimate: Float!
    "The sketch's standard error, relative to the estimate."
    relativeError: Float!
  }

  type TopValues {
    coverage: Coverage!
    entries: [TopEntry!]!
  }

  type TopEntry {
    value: String!
    count: Float!
    "How much count may overstate the true count."
    error: Float!
  }

  type Influencers {
    coverage: Coverage!
    authors: [Influencer!]!
  }

  type Influencer {
    author: String!
    interactions: Float!
    retweetsReceived: Float!
    repliesReceived: Float!
    "The largest audience seen (followers)."
    reach: Float!
  }

  type Domains {
    coverage: Coverage!
    domains: [DomainStat!]!
  }

  type DomainStat {
    domain: String!
    links: Float!
    uniqueSharers: Float!
  }
`
