// Vite's `?raw` imports (fixture files as text in workers-pool tests).
declare module "*?raw" {
  const text: string;
  export default text;
}
