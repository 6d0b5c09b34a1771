import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError, type Api } from './api.js'

/**
 * A GraphQL query's answer, re-asked when its variables change, or every `everyMs` if given;
 * not asked while `enabled` is false.
 */
export function useQuery<T>(
  api: Api,
  query: string,
  variables: Readonly<Record<string, unknown>>,
  everyMs?: number,
  enabled = true,
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<string>()
  const [tick, setTick] = useState(0)
  const reload = useCallback(() => setTick((t) => t + 1), [])
  const key = JSON.stringify(variables)
  useEffect(() => {
    if (!enabled) return
    let live = true
    api
      .query<T>(query, variables)
      .then((d) => {
        if (!live) return
        setData(d)
        setError(undefined)
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof ApiError ? e.message : String(e))
      })
    return () => {
      live = false
    }
    // `key` stands for the variables' content.
  }, [api, query, key, tick, enabled])
  useEffect(() => {
    if (everyMs === undefined) return
    const timer = setInterval(reload, everyMs)
    return () => clearInterval(timer)
  }, [everyMs, reload])
  return { data, error, reload }
}
