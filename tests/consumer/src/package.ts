// Type-level checks of the package as a TypeScript app sees it. Each @ts-expect-error line must
// stay an error: if the types get looser, tsc reports the directive as unused and fails.
import { version } from "infra-events";

const v: string = version();
export const major: number = Number(v.split(".")[0]);

// @ts-expect-error version takes no argument
version("1");

// @ts-expect-error version returns a string, not a number
export const wrong: number = version();
