// An Express API, its dependencies installed on the host by `npm ci --omit=dev`.
// `node server.js --once` listens on 127.0.0.1:3000, asks itself one request, prints the
// answer and exits (for `podman run` with no network).
const express = require("express");
const http = require("http");

const app = express();
app.get("/health", (req, res) => res.json({ status: "ok", express: require("express/package.json").version }));

const once = process.argv.includes("--once");
const server = app.listen(3000, once ? "127.0.0.1" : "0.0.0.0", () => {
  if (!once) return;
  http.get("http://127.0.0.1:3000/health", (res) => {
    let body = "";
    res.on("data", (c) => (body += c));
    res.on("end", () => {
      console.log(body);
      server.close();
    });
  });
});
