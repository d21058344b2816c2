/**
 * Validation of a group's networks and ports (`TaskGroup.validateNetworks`): unique port
 * labels, static ports free of collisions per host network, `to` in range, CNI arguments, host
 * names.
 *
 * @module
 */
import type { TaskGroup } from "./job.ts";
import type { Port } from "./resources.ts";
import { isDomainName, type Problems, quote } from "./_validate_util.ts";

const MAX_PORT = 65535;

/** Checks the networks of a group and of its tasks; `p` already says where. */
export function validateNetworks(g: TaskGroup, p: Problems): void {
  const labels = new Map<string, string>();
  const statics = new Map<string, Map<number, string>>();
  const reserve = (port: Port, owner: string, ignoreCollision: boolean) => {
    if (port.Value === 0) return;
    const network = port.HostNetwork === "" ? "default" : port.HostNetwork;
    const taken = statics.get(network) ?? new Map<number, string>();
    const other = taken.get(port.Value);
    if (other !== undefined) {
      if (!ignoreCollision) p.add(`Static port ${port.Value} already reserved by ${other}`);
    } else if (port.Value > MAX_PORT) {
      p.add(`Port ${port.Label} (${port.Value}) cannot be greater than ${MAX_PORT}`);
    } else {
      taken.set(port.Value, owner);
      statics.set(network, taken);
    }
  };
  const cniKeys = new Set<string>();
  for (const net of g.Networks ?? []) {
    for (const port of [...(net.ReservedPorts ?? []), ...(net.DynamicPorts ?? [])]) {
      const other = labels.get(port.Label);
      if (other !== undefined) p.add(`Port label ${port.Label} already in use by ${other}`);
      else labels.set(port.Label, "taskgroup network");
      reserve(port, `taskgroup network:${port.Label}`, port.IgnoreCollision);
      if (port.To < -1) {
        p.add(`Port ${quote(port.Label)} cannot be mapped to negative value ${port.To}`);
      } else if (port.To > MAX_PORT) {
        p.add(
          `Port ${
            quote(port.Label)
          } cannot be mapped to a port (${port.To}) greater than ${MAX_PORT}`,
        );
      }
      if (port.IgnoreCollision && !(net.Mode === "" || net.Mode === "host")) {
        p.add(
          `Port ${quote(port.Label)} collision may not be ignored on non-host network mode ` +
            quote(net.Mode),
        );
      }
    }
    for (const [k, v] of Object.entries(net.CNI?.Args ?? {})) {
      if (cniKeys.has(k)) p.add(`duplicate CNI arg ${quote(k)}`);
      cniKeys.add(k);
      if (k.includes(";")) p.add(`invalid ';' character in CNI arg key ${quote(k)}`);
      if (v.includes(";")) p.add(`invalid ';' character in CNI arg value ${quote(v)}`);
    }
    if (net.Hostname !== "" && !net.Hostname.includes("${") && !isDomainName(net.Hostname)) {
      p.add("Hostname is not a valid DNS name");
    }
  }
  for (const task of g.Tasks ?? []) {
    for (const net of task.Resources?.Networks ?? []) {
      for (const port of [...(net.ReservedPorts ?? []), ...(net.DynamicPorts ?? [])]) {
        const other = labels.get(port.Label);
        if (other !== undefined) p.add(`Port label ${port.Label} already in use by ${other}`);
        reserve(port, `${task.Name}:${port.Label}`, false);
      }
    }
  }
}
