import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

export class TransferPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  panel(kind: 'grids' | 'roster'): Locator {
    return this.page.getByTestId(`import-${kind}`);
  }

  async open(kind: 'grids' | 'roster'): Promise<void> {
    await this.page.getByTestId('transfer-tabs').getByRole('tab', { name: kind === 'grids' ? /网格|Grids/ : /人员名册|Roster/ }).click();
    await expect(this.page.getByTestId(`transfer-${kind}`)).toBeVisible();
  }

  async checkFile(kind: 'grids' | 'roster', file: string): Promise<void> {
    await this.open(kind);
    await this.panel(kind).locator('input[type=file]').setInputFiles(file);
    await this.page.getByTestId(`import-start-${kind}`).click();
  }

  summary(kind: 'grids' | 'roster'): Locator {
    return this.page.getByTestId(`import-summary-${kind}`);
  }

  reportRows(kind: 'grids' | 'roster'): Locator {
    return this.page.getByTestId(`import-report-${kind}`).locator('tr.ant-table-row');
  }

  async commit(kind: 'grids' | 'roster'): Promise<void> {
    await this.page.getByTestId(`import-commit-${kind}`).click();
  }

  done(kind: 'grids' | 'roster'): Locator {
    return this.page.getByTestId(`import-done-${kind}`);
  }

  async expectState(kind: 'grids' | 'roster', state: string): Promise<void> {
    await expect(this.panel(kind)).toHaveAttribute('data-state', state);
  }
}
