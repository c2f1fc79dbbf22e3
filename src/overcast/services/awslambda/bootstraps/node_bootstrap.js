// Overcast's Node.js runtime client: the loop AWS's Node runtimes run, on the Runtime API.
// Loads the handler (CommonJS through require, ES modules through import()), then for ever:
// asks for the next invocation, calls handler(event, context[, callback]) and posts the
// result or the error. Uses only Node's own modules.
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const url = require("url");

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const PREFIX = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: Number(apiPort), method, path: PREFIX + route, agent,
      headers: Object.assign({ "Content-Length": body ? Buffer.byteLength(body) : 0 }, headers || {}) }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

// One log event per write: a multi-line record keeps its lines together (\r between them).
function log(text) {
  fs.writeSync(1, String(text).replace(/\n/g, "\r") + "\n");
}

function format(args) {
  return require("util").format.apply(null, args);
}

// console writes as AWS's Node runtime does: tab-separated text, or (LoggingConfig JSON) one
// JSON object per call, dropping levels below AWS_LAMBDA_LOG_LEVEL
const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

function patchConsole() {
  const json = process.env.AWS_LAMBDA_LOG_FORMAT === "JSON";
  const least = json ? Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL || "INFO").toUpperCase())) : 0;
  for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"],
    ["debug", "DEBUG"], ["trace", "TRACE"]]) {
    if (LEVELS.indexOf(level) < least) {
      console[name] = () => {};
      continue;
    }
    console[name] = (...args) => {
      const when = new Date().toISOString();
      if (json) {
        log(JSON.stringify({ timestamp: when, level, requestId: currentRequestId || undefined, message: format(args) }));
      } else {
        log(`${when}\t${currentRequestId || "undefined"}\t${level}\t${format(args)}`);
      }
    };
  }
}

let currentRequestId = null;

function errorRecord(err) {
  if (err instanceof Error) {
    return { errorType: err.name || "Error", errorMessage: err.message,
      trace: (err.stack || "").split("\n") };
  }
  let message;
  try { message = typeof err === "string" ? err : JSON.stringify(err); } catch (e) { message = String(err); }
  return { errorType: "string", errorMessage: message, trace: [] };
}

async function postError(route, record, errorType) {
  await request("POST", route, JSON.stringify(record),
    { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": errorType });
}

async function loadHandler() {
  const handler = process.env._HANDLER || "";
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handler.lastIndexOf(".");
  if (dot <= 0) {
    throw Object.assign(new Error(`Bad handler ${handler}`), { name: "Runtime.MalformedHandlerName" });
  }
  const modulePath = handler.slice(0, dot);
  const names = handler.slice(dot + 1).split(".");
  const base = path.resolve(root, modulePath);
  let mod;
  const candidates = [".js", ".mjs", ".cjs"].map((ext) => base + ext).filter((p) => fs.existsSync(p));
  if (candidates.length === 0) {
    // AWS's words, naming its own runtime's loader as the requiring module
    throw Object.assign(new Error(`Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`),
      { name: "Runtime.ImportModuleError" });
  }
  const file = candidates[0];
  try {
    if (file.endsWith(".mjs")) {
      mod = await import(url.pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (e) {
        if (e && e.code === "ERR_REQUIRE_ESM") mod = await import(url.pathToFileURL(file).href);
        else throw e;
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw Object.assign(e, { name: "Runtime.UserCodeSyntaxError" });
    if (e && e.code === "MODULE_NOT_FOUND") throw Object.assign(e, { name: "Runtime.ImportModuleError" });
    throw e;
  }
  let fn = mod;
  for (const name of names) fn = fn == null ? undefined : fn[name];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const name of names) fn = fn == null ? undefined : fn[name];
  }
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${modulePath}.${names.join(".")} is undefined or not exported`),
      { name: "Runtime.HandlerNotFound" });
  }
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const parse = (v) => { try { return v ? JSON.parse(v) : undefined; } catch (e) { return undefined; } };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers["lambda-runtime-client-context"]),
    identity: parse(headers["lambda-runtime-cognito-identity"]),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function callHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    try {
      const out = fn(event, context, callback);
      if (out && typeof out.then === "function") {
        out.then((r) => callback(null, r), (e) => callback(e === undefined || e === null ? new Error(String(e)) : e));
      } else if (fn.length < 3) {
        callback(null, out);
      }
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  patchConsole();
  let fn;
  try {
    fn = await loadHandler();
  } catch (e) {
    const record = errorRecord(e);
    log(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(record)}`);
    await postError("/init/error", record, record.errorType);
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = id;
    if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    let result;
    try {
      const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : null;
      result = await callHandler(fn, event, makeContext(next.headers));
    } catch (e) {
      const record = errorRecord(e);
      log(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(record)}`);
      await postError(`/invocation/${id}/error`, record, record.errorType);
      continue;
    }
    let body;
    try {
      body = result === undefined ? "null" : JSON.stringify(result);
    } catch (e) {
      await postError(`/invocation/${id}/error`, errorRecord(e), "Runtime.MarshalError");
      continue;
    }
    await request("POST", `/invocation/${id}/response`, body, { "Content-Type": "application/json" });
  }
}

main().catch((e) => { log(String(e && e.stack || e)); process.exit(1); });
