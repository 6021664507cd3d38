import { describe, expect, it } from 'vitest';
import { isMobile, maskPersonalText, maskPhone, maskResidentId, residentIdProblem } from '../../core/domain/identity';

describe('resident ID (GB 11643)', () => {
  it('accepts valid numbers, including an X check character', () => {
    expect(residentIdProblem('610116199001010018')).toBeNull();
    expect(residentIdProblem('61011619851212002X')).toBeNull();
  });
  it('names what is wrong', () => {
    expect(residentIdProblem('61011619900101001')).toBe('format');
    expect(residentIdProblem('610116199002300018')).toBe('birth_date');
    expect(residentIdProblem('610116199001010019')).toBe('check_digit');
    expect(residentIdProblem('61011619851212002x')).toBe('format');
  });
});

describe('mobile numbers', () => {
  it('wants 11 digits starting 1[3-9]', () => {
    expect(isMobile('13812345678')).toBe(true);
    expect(isMobile('12812345678')).toBe(false);
    expect(isMobile('1381234567')).toBe(false);
  });
});

describe('masking', () => {
  it('hides the middle of phones and IDs', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskResidentId('610116199001010018')).toBe('610116********0018');
    expect(maskPhone(null)).toBeNull();
  });
  it('masks every identifier inside free text', () => {
    const text = 'call 13812345678 about 61011619851212002X, ref 12345';
    expect(maskPersonalText(text)).toBe('call 138****5678 about 610116********002X, ref 12345');
  });
});
