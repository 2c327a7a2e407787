// Package registries and artifact stores.
import type { SecretRule } from "../rule.js";
import { ALNUM, HEX, URLSAFE, named, prefixed } from "./define.js";

export const registryRules: SecretRule[] = [
  prefixed("npm-token", "npm access token", "npm_", ALNUM(36)),
  named("npm-legacy-token", "npm auth token in .npmrc", ["_authtoken"], "[A-Za-z0-9+/=_-]{36,}", { entropy: 3.5 }),
  prefixed("pypi-token", "PyPI upload token", "pypi-AgEIcHlwaS5vcmc", URLSAFE("50,")),
  prefixed("pypi-test-token", "TestPyPI upload token", "pypi-AgENdGVzdC5weXBpLm9yZw", URLSAFE("50,")),
  prefixed("rubygems-api-key", "RubyGems API key", "rubygems_", HEX(48)),
  prefixed("nuget-api-key", "NuGet API key", "oy2", "[a-z0-9]{43}"),
  prefixed("docker-hub-pat", "Docker Hub personal access token", "dckr_pat_", URLSAFE("27,32")),
  prefixed("docker-hub-oat", "Docker Hub organization access token", "dckr_oat_", URLSAFE("27,32")),
  prefixed("crates-io-token", "crates.io API token", "cio", ALNUM(32)),
  prefixed("clojars-token", "Clojars deploy token", "CLOJARS_", "[a-z0-9]{60}"),
  named("packagist-token", "Packagist API token", ["packagist"], "pac[a-z]?_[A-Za-z0-9]{30,}"),
  named("hex-pm-key", "Hex.pm API key", ["hex_api_key", "hexpm"], HEX(32)),
  named("pub-dev-token", "pub.dev credentials token", ["pub_token", "pub-credentials"], URLSAFE("100,")),
  named("maven-password", "Maven repository password", ["maven_password", "ossrh_password", "sonatype_password"], "[^\\s'\"<]{12,}", { entropy: 3 }),
  named("gradle-publish-key", "Gradle plugin portal key", ["gradle.publish.key", "gradle.publish.secret"], ALNUM(32)),
  named("cocoapods-token", "CocoaPods trunk token", ["cocoapods", "cocoapods_trunk_token"], HEX(32)),
  named("artifactory-password", "Artifactory API key or password", ["artifactory"], "AKC[a-zA-Z0-9]{10,}"),
  named("quay-robot-token", "Quay.io robot token", ["quay"], "[A-Z0-9]{64}"),
];
