export { BODY_LIMIT_BYTES } from "./internal/body.js";
export { type RunningMock, type StartMockOptions, startMock } from "./start-mock.js";
