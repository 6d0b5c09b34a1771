// gender-detection-from-name ships one Map per language as CommonJS without type declarations.
declare module 'gender-detection-from-name/names/*.js' {
  const names: ReadonlyMap<string, 'male' | 'female'>
  export default names
}
