import { defaultPython } from '../../src/models/python.js';

export const PYTHON = defaultPython();
