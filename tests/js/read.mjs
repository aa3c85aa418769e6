// Read solinbox's Photon-compatible API with Light's official JS client, print what it sees as
// JSON for the Python test to compare. Usage: node read.mjs RPC_URL PHOTON_URL OWNER
import { PublicKey } from "@solana/web3.js";
import * as stateless from "@lightprotocol/stateless.js";

const [rpcUrl, photonUrl, ownerText] = process.argv.slice(2);
const rpc = stateless.createRpc(rpcUrl, photonUrl, photonUrl);
const owner = new PublicKey(ownerText);

const page = await rpc.getCompressedAccountsByOwner(owner);
const accounts = page.items.map((a) => ({
  hash: stateless.encodeBN254toBase58(a.hash),
  owner: a.owner.toBase58(),
  lamports: a.lamports.toString(),
  leafIndex: a.leafIndex,
  tree: a.treeInfo.tree.toBase58(),
  queue: a.treeInfo.queue.toBase58(),
  discriminator: a.data ? Buffer.from(a.data.discriminator).toString("hex") : null,
  data: a.data ? Buffer.from(a.data.data).toString("base64") : null,
}));
const first = page.items[0];
const byHash = first ? await rpc.getCompressedAccount(undefined, first.hash) : null;
const signatures = await rpc.getCompressionSignaturesForOwner(owner);
console.log(JSON.stringify({
  accounts,
  byHash: byHash ? stateless.encodeBN254toBase58(byHash.hash) : null,
  byHashLeaf: byHash ? byHash.leafIndex : null,
  signatures: signatures.items.map((s) => ({ signature: s.signature, slot: s.slot })),
}));
