import { gunzipSync } from 'node:zlib';
import type { ValueType } from 'pprof-format';
import { Function as PprofFunction, Location, Mapping, Profile, Sample, StringTable } from 'pprof-format';
import { ErrorCode, GofnError } from '../errors';

/**
 * Decoding, merging and ranking pprof profiles (the gzip-compressed protobuf of
 * github.com/google/pprof/proto/profile.proto, as Go's runtime/pprof writes it), with
 * pprof-format as the decoder and encoder.
 */

/** One function's share of a profile, as `go tool pprof -top` ranks them. */
export interface FunctionCost {
  function: string;
  /** Value of the samples where it is the innermost frame (CPU nanoseconds for a CPU profile). */
  flat: number;
  /** Value of the samples where it is anywhere on the stack. */
  cum: number;
  flatPercent: number;
  cumPercent: number;
}

export interface ProfileSummary {
  /** `cpu/nanoseconds` for a CPU profile. */
  valueType: string;
  /** Sum of the ranked value over all samples. */
  total: number;
  /** Stack samples recorded (the `samples/count` value), the number behind every percentage. */
  samples: number;
  /** Wall time the profiles covered, summed over instances. */
  durationNanos: number;
  byFlat: FunctionCost[];
  byCum: FunctionCost[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** A profile from its bytes, gzip-compressed or not; a sentence when they are not a profile. */
export function decodeProfile(bytes: Uint8Array, name: string): Profile {
  try {
    const raw = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? gunzipSync(bytes) : bytes;
    return Profile.decode(raw);
  } catch (error) {
    throw new GofnError(ErrorCode.Upstream, `${name} is not a pprof profile (${(error as Error).message}).`, {
      cause: error,
    });
  }
}

const str = (p: Profile, index: number | bigint) => p.stringTable.strings[Number(index)] ?? '';
const typeName = (p: Profile, vt: ValueType) => `${str(p, vt.type)}/${str(p, vt.unit)}`;

/**
 * One profile holding every sample of `profiles`, which must record the same sample types (CPU
 * profiles of one function): functions, locations and mappings that are the same in several
 * inputs (one binary on several instances) appear once. Sample labels are not kept.
 */
export function mergeProfiles(profiles: Profile[]): Profile {
  const first = profiles[0];
  if (!first) throw new GofnError(ErrorCode.Internal, 'There are no profiles to merge.');
  const types = first.sampleType.map((vt) => typeName(first, vt)).join(',');
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const mappings: Mapping[] = [];
  const samples: Sample[] = [];
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  const mappingIds = new Map<string, number>();
  let timeNanos = Number.POSITIVE_INFINITY;
  let durationNanos = 0;

  for (const p of profiles) {
    const theseTypes = p.sampleType.map((vt) => typeName(p, vt)).join(',');
    if (theseTypes !== types) {
      throw new GofnError(
        ErrorCode.Upstream,
        `Profiles of different kinds cannot be merged: ${types} and ${theseTypes}.`,
      );
    }
    const s = (i: number | bigint) => strings.dedup(str(p, i));
    const fnMap = new Map<string, number>();
    for (const f of p.function) {
      const key = [str(p, f.name), str(p, f.systemName), str(p, f.filename), String(f.startLine)].join('\0');
      let id = functionIds.get(key);
      if (id === undefined) {
        id = functions.length + 1;
        functionIds.set(key, id);
        functions.push(
          new PprofFunction({
            id,
            name: s(f.name),
            systemName: s(f.systemName),
            filename: s(f.filename),
            startLine: f.startLine,
          }),
        );
      }
      fnMap.set(String(f.id), id);
    }
    const mapMap = new Map<string, number>();
    for (const m of p.mapping) {
      const key = [m.memoryStart, m.memoryLimit, m.fileOffset, str(p, m.filename), str(p, m.buildId)].join('\0');
      let id = mappingIds.get(key);
      if (id === undefined) {
        id = mappings.length + 1;
        mappingIds.set(key, id);
        mappings.push(new Mapping({ ...m, id, filename: s(m.filename), buildId: s(m.buildId) }));
      }
      mapMap.set(String(m.id), id);
    }
    const locMap = new Map<string, number>();
    for (const l of p.location) {
      const lines = l.line.map((ln) => ({ functionId: fnMap.get(String(ln.functionId)) ?? 0, line: ln.line }));
      const mappingId = mapMap.get(String(l.mappingId)) ?? 0;
      const key = [mappingId, String(l.address), ...lines.map((ln) => `${ln.functionId}:${ln.line}`)].join('\0');
      let id = locationIds.get(key);
      if (id === undefined) {
        id = locations.length + 1;
        locationIds.set(key, id);
        locations.push(new Location({ id, mappingId, address: l.address, line: lines, isFolded: l.isFolded }));
      }
      locMap.set(String(l.id), id);
    }
    for (const sample of p.sample) {
      samples.push(
        new Sample({
          locationId: sample.locationId.map((id) => locMap.get(String(id)) ?? 0),
          value: [...sample.value],
        }),
      );
    }
    timeNanos = Math.min(timeNanos, Number(p.timeNanos));
    durationNanos += Number(p.durationNanos);
  }

  return new Profile({
    sampleType: first.sampleType.map((vt) => ({
      type: strings.dedup(str(first, vt.type)),
      unit: strings.dedup(str(first, vt.unit)),
    })),
    sample: samples,
    mapping: mappings,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: Number.isFinite(timeNanos) ? timeNanos : 0,
    durationNanos,
    periodType: first.periodType
      ? {
          type: strings.dedup(str(first, first.periodType.type)),
          unit: strings.dedup(str(first, first.periodType.unit)),
        }
      : undefined,
    period: first.period,
  });
}

/**
 * The functions that cost the most, by flat and by cumulative value of the profile's last
 * sample type (CPU nanoseconds for a CPU profile), aggregated by function name as
 * `go tool pprof -top` does.
 */
export function summarize(p: Profile, top = 10): ProfileSummary {
  const types = p.sampleType.map((vt) => typeName(p, vt));
  const valueIndex = Math.max(0, types.length - 1);
  const countIndex = types.indexOf('samples/count');
  const names = new Map<string, string>();
  for (const f of p.function) names.set(String(f.id), str(p, f.name));
  // A location's lines run from the innermost inlined function out to its caller.
  const frames = new Map<string, string[]>();
  for (const l of p.location)
    frames.set(
      String(l.id),
      l.line.map((ln) => names.get(String(ln.functionId)) ?? '?'),
    );

  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  let total = 0;
  let samples = 0;
  for (const sample of p.sample) {
    const value = Number(sample.value[valueIndex] ?? 0);
    samples += countIndex >= 0 ? Number(sample.value[countIndex] ?? 0) : 1;
    total += value;
    const stack = sample.locationId.flatMap((id) => frames.get(String(id)) ?? []);
    const leaf = stack[0];
    if (leaf !== undefined) flat.set(leaf, (flat.get(leaf) ?? 0) + value);
    for (const fn of new Set(stack)) cum.set(fn, (cum.get(fn) ?? 0) + value);
  }
  const percent = (v: number) => (total > 0 ? (100 * v) / total : 0);
  const costs = [...cum.keys()].map((fn) => {
    const f = flat.get(fn) ?? 0;
    const c = cum.get(fn) ?? 0;
    return { function: fn, flat: f, cum: c, flatPercent: percent(f), cumPercent: percent(c) };
  });
  const byName = (a: FunctionCost, b: FunctionCost) => a.function.localeCompare(b.function);
  return {
    valueType: types[valueIndex] ?? 'samples/count',
    total,
    samples,
    durationNanos: Number(p.durationNanos),
    byFlat: [...costs]
      .sort((a, b) => b.flat - a.flat || byName(a, b))
      .slice(0, top)
      .filter((c) => c.flat > 0),
    byCum: [...costs].sort((a, b) => b.cum - a.cum || byName(a, b)).slice(0, top),
  };
}
