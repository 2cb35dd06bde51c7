/** The hosts part of `status` lives in src/inspect/hostsStatus.ts (the run's status page uses it too); re-exported for the commands. */
export { hostsLines, hostsStatus, leaseGroups, leasesInWords, partitionRanges, partitionWords, type HostStatus, type LeaseStatus } from '../inspect/hostsStatus.js';
