import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vitest/config";

// `npm run dev` serves the app on :5173 and proxies every server path to `raypx serve`.
const backend = process.env.RAYPX_DEV_BACKEND ?? "http://127.0.0.1:8000";
const serverPaths = ["/api", "/v1", "/healthz", "/readyz", "/metrics"];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "../src/raypx/web/dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(serverPaths.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
