// The runner of the `integration-serial` project: its files run one at a time in jest's own process, after (or
// before) the parallel workers of the other projects have finished, never beside another test file. jest awaits each
// runner in turn and runs a runner whose `isSerial` is true in band (jest-runner's TestRunner does the rest).
import TestRunner from 'jest-runner';

export default class SerialRunner extends TestRunner {
  override readonly isSerial = true;
}
