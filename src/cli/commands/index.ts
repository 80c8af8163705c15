// Every CLI command, in the order `similar-users --help` lists them. Add a command by adding it here.
import type { Command } from '../command';
import { dbStart, dbStatus, dbStop } from './db';

export const commands: Command[] = [dbStart, dbStop, dbStatus];
