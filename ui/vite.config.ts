import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The app loads the built files through Tauri's custom protocol (no dev server in production
// builds), so everything must be bundled locally: no CDN, matching the CSP in tauri.conf.json.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Debian 12 / Ubuntu 22.04+.
    target: "safari16",
    sourcemap: false,
  },
  server: { port: 1420, strictPort: true },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
