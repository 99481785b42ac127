// The facade's handler map is combined from each domain's part: every contract method answered exactly once.
import { describe, expect, it } from 'vitest';
import { combine, type Handlers } from '../../src/core/handlers.js';
import { contract, type MethodName } from '../../src/shared/contract.js';

function every(): Handlers {
  const all: Partial<Record<MethodName, () => string>> = {};
  for (const name of Object.keys(contract) as MethodName[]) all[name] = () => name;
  return all as unknown as Handlers;
}

describe('combine', () => {
  it('joins the domains’ parts into one map of every method', () => {
    const { 'app:info': info, ...rest } = every();
    const map = combine({ 'app:info': info }, rest);
    expect(Object.keys(map).sort()).toEqual(Object.keys(contract).sort());
  });

  it('refuses a method two domains answer', () => {
    const { 'app:info': info } = every();
    expect(() => combine(every(), { 'app:info': info })).toThrow(/app:info is answered by two domains/);
  });

  it('refuses a map that leaves a method unanswered', () => {
    const { 'settings:get': _omitted, ...rest } = every();
    expect(() => combine(rest)).toThrow(/nobody answers settings:get/);
  });
});
