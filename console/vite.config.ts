import { defineConfig } from "vite";

// Served by Ledger.Api under /console; the build lands in dist/, which the .NET build copies beside the binary.
export default defineConfig({
  base: "/console/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Under the console's Content-Security-Policy nothing may be inlined: every script and style is a file.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `npm run dev` proxies the API to a server started by ops/run.sh, so the page stays same-origin.
    proxy: Object.fromEntries(
      ["/accounts", "/transfers", "/audit", "/admin", "/health"].map((p) => [p, "http://127.0.0.1:5080"]),
    ),
  },
});
