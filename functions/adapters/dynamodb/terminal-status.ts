import { TERMINAL_STATUSES } from '../../domain/release';

/** `:t0`…`:t5` for conditions on "not yet finished". */
export const terminalStatusValues = Object.fromEntries(TERMINAL_STATUSES.map((status, i) => [`:t${i}`, status]));
