import { residentIdCheckChar } from '../../core/domain/identity';
import type { Rng } from './prng';

// Synthetic identifiers that pass validation but belong to no one: phones in the 170/171
// virtual-operator ranges, resident IDs on Chang'an's region code with a correct check
// character. Each is unique within one generator.

export class FakeIdentities {
  private readonly phones = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(private readonly rng: Rng) {}

  phone(): string {
    for (;;) {
      const phone = `17${this.rng.int(0, 1)}${String(this.rng.int(0, 99_999_999)).padStart(8, '0')}`;
      if (!this.phones.has(phone)) {
        this.phones.add(phone);
        return phone;
      }
    }
  }

  /** Born 1955–2002; the sequence's last digit is odd for men, even for women (GB 11643). */
  residentId(gender: 'male' | 'female'): string {
    for (;;) {
      const birth = new Date(Date.UTC(1955, 0, 1) + this.rng.int(0, 47 * 365) * 86_400_000);
      const ymd = birth.toISOString().slice(0, 10).replace(/-/g, '');
      const order = this.rng.int(0, 49) * 2 + (gender === 'male' ? 1 : 0);
      const first17 = `610116${ymd}${String(this.rng.int(0, 9))}${String(order).padStart(2, '0')}`;
      const id = first17 + residentIdCheckChar(first17);
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }
}
