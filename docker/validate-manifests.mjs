// Validates Kubernetes manifests against Kubernetes' own OpenAPI schemas (the kubernetes-models
// package carries them, with a validator): every object of every file, by its apiVersion and kind.
//
//   node docker/validate-manifests.mjs docker/kubernetes.yaml …   (.ci/run installs the packages in .tools)
//
// The schemas check types, required fields and enumerations; they let unknown fields pass, so
// KubernetesManifestsTest checks the fields that matter here (Pod Security "restricted" and the layout).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const modules = resolve(process.env.TOOLS_DIR ?? ".tools", "node_modules");
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const yaml = (await load("js-yaml/dist/js-yaml.mjs")).default;

let valid = 0;
let invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const object of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!object) continue;
    const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
    const name = `${file}: ${object.kind} ${object.metadata?.name}`;
    let Model;
    try {
      Model = (await load(`kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}.js`))[object.kind];
    } catch {
      console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      invalid++;
      continue;
    }
    try {
      new Model(object).validate();
      valid++;
    } catch (error) {
      console.error(`${name}: ${error.message}`);
      invalid++;
    }
  }
}
console.log(`Kubernetes manifests: ${valid} objects valid${invalid ? `, ${invalid} invalid` : ""}`);
process.exit(invalid ? 1 : 0);
