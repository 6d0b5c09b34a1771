/** The replay part of the GraphQL schema (extends the types of graphql-schema.ts). */
export const REPLAY_TYPE_DEFS = /* GraphQL */ `
  enum ReplayFormat {
    "Gzip-compressed newline-delimited JSON, one interaction per line."
    NDJSON
    PARQUET
  }

  enum ReplayState {
    QUEUED
    RUNNING
    DONE
    CANCELLED
    FAILED
  }

  "What a replay would read and find, from the archive's statistics and a sample."
  type ReplayEstimate {
    "(type, day) partitions to read."
    partitions: Int!
    "Rows of those partitions (what is scanned at most)."
    rowsToScan: Float!
    "Of which inside [from, to), assuming rows spread evenly over each day."
    rowsInRange: Float!
    sampledRows: Float!
    "Expected matches, with a 95% interval from the sample."
    matches: Float!
    matchesLow: Float!
    matchesHigh: Float!
  }

  type Replay {
    id: ID!
    name: String
    "The registered stream replayed, when it was one."
    stream: ID
    hash: String!
    csdl: String!
    from: DateTime!
    to: DateTime!
    "Interaction types read (all when null)."
    types: [String!]
    format: ReplayFormat!
    createdAt: DateTime!
    state: ReplayState!
    "Why it failed."
    reason: String
    progress: ReplayProgress!
    "Output ready so far, in chronological order; all of it once DONE."
    chunks: [ReplayChunk!]!
    "The manifest (chunks, counts, checksums), once DONE."
    manifestUrl: String
  }

  type ReplayProgress {
    partitionsTotal: Int!
    partitionsDone: Int!
    rowsTotal: Float!
    rowsScanned: Float!
    matches: Float!
    rowsPerSecond: Float!
    "Seconds left at the current rate (null until known)."
    etaSeconds: Float
  }

  type ReplayChunk {
    "Path on this server (GET with your key; Range supported)."
    url: String!
    "On S3: a URL anyone holding it can GET the chunk from, for an hour (null on a local store)."
    presignedUrl: String
    name: String!
    records: Int!
    bytes: Int!
    sha256: String!
    firstAt: DateTime!
    lastAt: DateTime!
  }

  extend type Query {
    "Partitions, rows and expected matches of a replay, before making it."
    estimateReplay(
      stream: ID
      csdl: String
      from: DateTime!
      to: DateTime!
      types: [String!]
    ): ReplayEstimate!
    "One of your replays (null if you have none with that id)."
    replay(id: ID!): Replay
    "Your replays, newest first."
    replays: [Replay!]!
  }

  extend type Mutation {
    "Replays one of your streams, or a filter, over the archive's [from, to)."
    createReplay(
      stream: ID
      csdl: String
      from: DateTime!
      to: DateTime!
      types: [String!]
      format: ReplayFormat = NDJSON
      name: String
    ): Replay!
    "Stops one of your replays; chunks already written stay."
    cancelReplay(id: ID!): Replay!
  }
`
