import type { FormRule as Rule } from 'antd';
import { isMobile, residentIdProblem } from '../../../core/domain/identity';
import type { Translate } from '../../app/i18n/i18n-context';

// Same checks as the server (core/domain/identity.ts), so the clerk hears about a typo
// before saving; the server still decides.

export function phoneRule(t: Translate): Rule {
  return {
    validator: (_rule, value: unknown) =>
      typeof value !== 'string' || value.trim() === '' || isMobile(value.trim())
        ? Promise.resolve()
        : Promise.reject(new Error(t('person.phoneRule'))),
  };
}

export function residentIdRule(t: Translate): Rule {
  return {
    validator: (_rule, value: unknown) => {
      if (typeof value !== 'string' || value.trim() === '') return Promise.resolve();
      const problem = residentIdProblem(value.trim().toUpperCase());
      if (problem === null) return Promise.resolve();
      const key = problem === 'format' ? 'person.residentIdFormat' : problem === 'birth_date' ? 'person.residentIdBirth' : 'person.residentIdCheck';
      return Promise.reject(new Error(t(key)));
    },
  };
}
