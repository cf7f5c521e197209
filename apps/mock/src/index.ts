export { type RunningMock, type StartMockOptions, startMock } from "./start-mock.js";
