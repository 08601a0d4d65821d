#!/usr/bin/env node
// A native-looking `solc` executable over npm's WebAssembly compiler.
//
// py-solc-x and ape-solidity drive a native solc binary; none can be installed
// here, so this wrapper answers the two calls they make:
//   solc --version
//   solc --standard-json [--base-path P] [--include-path P]... [--allow-paths P,...]
// Imports are read from the base path and include paths, as native solc does.
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

// `solc.version()` gives "0.8.37+commit.f401782d.Emscripten.clang"; the native
// build says ".Linux.g++", which is what the Python tools parse.
function nativeVersion() {
  return solc.version().replace(/\.Emscripten\.clang$/, ".Linux.g++");
}

function writeAndExit(text, code) {
  // process.exit() would cut a large stdout write short (at 64 KiB on a pipe);
  // set the exit code and let Node drain the stream instead.
  process.stdout.write(text);
  process.exitCode = code;
}

function usage(message) {
  process.stderr.write(
    `solc (rdh-chain wrapper): ${message}\n` +
      "supported: --version | --standard-json [--base-path P] [--include-path P] [--allow-paths P]\n",
  );
  process.exitCode = 2;
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--version":
        opts.version = true;
        break;
      case "--standard-json":
        opts.standardJson = true;
        break;
      case "--base-path":
        opts.basePath = value();
        break;
      case "--include-path":
        opts.includePaths.push(value());
        break;
      case "--allow-paths":
        value(); // every read is already confined to the base and include paths
        break;
      case "-":
        break;
      default:
        return { error: `unsupported argument ${arg}` };
    }
  }
  return opts;
}

function makeImportReader(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found in ${roots.join(", ")}: ${importPath}` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.error) return usage(opts.error);
  if (opts.version) {
    return writeAndExit(
      `solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`,
      0,
    );
  }
  if (!opts.standardJson) return usage("nothing to do");

  const input = fs.readFileSync(0, "utf8");
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  const output = solc.compile(input, { import: makeImportReader(roots) });
  return writeAndExit(output + "\n", 0);
}

main();
