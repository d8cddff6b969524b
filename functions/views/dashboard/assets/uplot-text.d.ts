/** uPlot's browser build; bundled as text by esbuild (see charts.ts). */
declare module 'uplot/dist/uPlot.iife.min.js' {
  const text: string;
  export default text;
}
