/** The recording part of the GraphQL schema (extends the types of graphql-schema.ts). */
export const RECORDING_TYPE_DEFS = /* GraphQL */ `
  enum RecordingFormat {
    "Gzip-compressed newline-delimited JSON, one interaction per line."
    NDJSON
    "Gzip-compressed CSV with a header, one column per chosen target."
    CSV
    PARQUET
  }

  enum RecordingState {
    "Waiting for its start."
    SCHEDULED
    "Between start and end: matches are being appended."
    RECORDING
    "Past its end: waiting for the last matches, then writing the output."
    FINALIZING
    DONE
    FAILED
    "Cancelled before it started."
    CANCELLED
  }

  "A stream's matches kept between two times, to download later."
  type Recording {
    id: ID!
    name: String
    stream: ID!
    start: DateTime!
    "The end in force (earlier than scheduled when cancelled while recording)."
    end: DateTime!
    scheduledEnd: DateTime!
    format: RecordingFormat!
    "CSV columns (target paths); empty for the other formats."
    fields: [String!]!
    createdAt: DateTime!
    cancelledAt: DateTime
    state: RecordingState!
    "Why it failed."
    reason: String
    "Matches appended so far (a record delivered twice counts twice until finalized); the output's once DONE."
    records: Float!
    "Bytes stored so far (compressed); the output's once DONE."
    bytes: Float!
    "The output in chronological order, once DONE."
    chunks: [ReplayChunk!]!
    "The manifest (chunks, counts, checksums), once DONE."
    manifestUrl: String
  }

  extend type Query {
    "One of your recordings (null if you have none with that id)."
    recording(id: ID!): Recording
    "Your recordings, newest first."
    recordings: [Recording!]!
  }

  extend type Mutation {
    "Records one of your streams' matches created in [start, end); start must be a few seconds ahead."
    scheduleRecording(
      stream: ID!
      start: DateTime!
      end: DateTime!
      format: RecordingFormat = NDJSON
      "CSV columns (target paths such as interaction.content); CSV only."
      fields: [String!]
      name: String
    ): Recording!
    "Cancels one of your recordings: before its start nothing is kept; while recording it ends now and keeps what it has."
    cancelRecording(id: ID!): Recording!
    "Deletes one of your recordings that is not running, with its output."
    deleteRecording(id: ID!): Recording!
  }
`
