import type { Locator, Page } from '@playwright/test';
import { Shell } from './shell';

export class CoveragePage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  async selectOrg(code: string): Promise<void> {
    await this.page.getByTestId(`org-node-${code}`).click();
  }

  rows(): Locator {
    return this.page.getByTestId('coverage-table').locator('tr.ant-table-row');
  }

  gaps(): Locator {
    return this.page.getByTestId('coverage-gaps').locator('tr.ant-table-row');
  }
}
