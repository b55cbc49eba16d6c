// The "plain parallel upload" of bench/run.sh's Azure scenario: every file under a folder (MailIngest's
// FileSystem store after a full ingest, so the same objects in count and size) uploaded as one block
// blob each into a new container, with N uploads in flight. No decoding, no POP3: the floor that
// Azurite and the SDK set on this machine.
//
//   node bench/upload.cjs upload DIR CONTAINER CONCURRENCY   prints "OBJECTS BYTES"
//   node bench/upload.cjs count CONTAINER                     prints "OBJECTS BYTES" of a container
//   node bench/upload.cjs list CONTAINER                      prints "NAME BYTES" for each blob
//   node bench/upload.cjs get CONTAINER NAME                  writes the blob's content to stdout
//
// The connection string comes from AZURE_STORAGE_CONNECTION_STRING; @azure/storage-blob from NODE_PATH
// (bench/run.sh installs it into .work/bench/node, not the repository).
"use strict";
const fs = require("fs");
const path = require("path");
const { BlobServiceClient } = require("@azure/storage-blob");

function files(dir) {
    const out = [];
    const walk = (d) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            if (entry.name.startsWith(".")) continue; // a store's temporary files, never objects
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) out.push(full);
        }
    };
    walk(dir);
    return out;
}

async function upload(service, dir, containerName, concurrency) {
    const container = service.getContainerClient(containerName);
    await container.create();
    const list = files(dir);
    let next = 0;
    let bytes = 0;
    const worker = async () => {
        while (next < list.length) {
            const file = list[next++];
            const name = path.relative(dir, file).split(path.sep).join("/");
            bytes += fs.statSync(file).size;
            await container.getBlockBlobClient(name).uploadFile(file);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return [list.length, bytes];
}

async function count(service, containerName) {
    let objects = 0;
    let bytes = 0;
    for await (const blob of service.getContainerClient(containerName).listBlobsFlat()) {
        objects++;
        bytes += blob.properties.contentLength || 0;
    }
    return [objects, bytes];
}

async function list(service, containerName) {
    const lines = [];
    for await (const blob of service.getContainerClient(containerName).listBlobsFlat()) {
        lines.push(`${blob.name} ${blob.properties.contentLength || 0}`);
    }
    return lines.join("\n");
}

async function get(service, containerName, name) {
    return (await service.getContainerClient(containerName).getBlobClient(name).downloadToBuffer()).toString("utf8");
}

async function main() {
    const [mode, ...args] = process.argv.slice(2);
    const service = BlobServiceClient.fromConnectionString(process.env.AZURE_STORAGE_CONNECTION_STRING || "");
    let result;
    if (mode === "upload" && args.length === 3) result = await upload(service, args[0], args[1], Number(args[2]));
    else if (mode === "count" && args.length === 1) result = await count(service, args[0]);
    else if (mode === "list" && args.length === 1) result = [await list(service, args[0])];
    else if (mode === "get" && args.length === 2) result = [await get(service, args[0], args[1])];
    else throw new Error("usage: upload.cjs upload DIR CONTAINER CONCURRENCY | count CONTAINER | list CONTAINER | get CONTAINER NAME");
    console.log(result.join(" "));
}

main().catch((error) => {
    console.error(`upload.cjs: ${error.message}`);
    process.exit(1);
});
