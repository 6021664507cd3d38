import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

export interface PersonData {
  name: string;
  phone: string;
  residentId: string;
  unit: string;
  party?: boolean;
}

export class RosterPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  table(): Locator {
    return this.page.getByTestId('roster-table');
  }

  row(name: string): Locator {
    return this.table().locator('tr.ant-table-row').filter({ hasText: name });
  }

  drawer(): Locator {
    return this.page.locator('.ant-drawer-content-wrapper:visible');
  }

  async addPerson(p: PersonData): Promise<void> {
    await this.page.getByTestId('person-add').click();
    const drawer = this.drawer();
    await drawer.getByTestId('person-name').fill(p.name);
    await drawer.getByTestId('person-phone').fill(p.phone);
    await drawer.getByTestId('person-resident-id').fill(p.residentId);
    await drawer.getByTestId('person-org').click();
    await this.shell.pickOption(p.unit);
    if (p.party) await drawer.getByTestId('person-party').click();
    await drawer.getByTestId('person-save').click();
    await this.shell.expectSuccess(p.name);
  }

  /** With the person's drawer open: assigns a role on a grid found by search. */
  async assignOnGrid(gridQuery: string, gridOption: RegExp | string, role: string): Promise<void> {
    await this.drawer().getByTestId('assign-open').click();
    const dialog = this.page.locator('.ant-modal-wrap:visible');
    await dialog.getByTestId('assign-grid-search').locator('input').fill(gridQuery);
    await this.shell.pickOption(gridOption);
    await dialog.getByTestId('assign-role').click();
    await this.shell.pickOption(role);
    await dialog.getByRole('button', { name: '确定' }).click();
    await this.shell.expectSuccess('已分配角色');
    await expect(this.assignments().filter({ hasText: role })).toBeVisible();
  }

  assignments(): Locator {
    return this.drawer().getByTestId('person-assignments').locator('tr.ant-table-row');
  }

  async closeDrawer(): Promise<void> {
    await this.drawer().locator('.ant-drawer-close').click();
    await expect(this.drawer()).toHaveCount(0);
  }
}
