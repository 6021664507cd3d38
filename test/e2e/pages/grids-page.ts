import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

type Level = '大网格' | '中网格' | '小网格' | '微网格';

export class GridsPage {
  readonly shell: Shell;
  constructor(readonly page: Page) {
    this.shell = new Shell(page);
  }

  orgNode(code: string): Locator {
    return this.page.getByTestId(`org-node-${code}`);
  }

  gridNode(code: string): Locator {
    return this.page.getByTestId(`grid-node-${code}`);
  }

  async selectOrg(code: string): Promise<void> {
    await this.orgNode(code).click();
  }

  /** Creates a child of the selected unit (or the district when nothing exists yet). */
  async addOrgUnit(code: string, name: string): Promise<void> {
    await this.page.getByTestId('org-add').click();
    const dialog = this.shell.dialog();
    await dialog.getByTestId('org-code').fill(code);
    await dialog.getByTestId('org-name').fill(name);
    await dialog.getByRole('button', { name: '保存' }).click();
    await this.shell.expectSuccess(name);
    await expect(this.orgNode(code)).toBeVisible();
  }

  /** Fills the grid form that is open; returns the code the app suggested. */
  async fillGrid(name: string, level: Level): Promise<string> {
    const dialog = this.shell.dialog();
    await dialog.getByTestId('grid-level').getByText(level, { exact: true }).click();
    await dialog.getByTestId('grid-name').fill(name);
    const code = dialog.getByTestId('grid-code');
    await expect(code).toHaveValue(/^\d{16}(\d{3})?$/);
    const value = await code.inputValue();
    await dialog.getByRole('button', { name: '保存' }).click();
    await this.shell.expectSuccess(name);
    return value;
  }

  async createTopGrid(name: string, level: Level): Promise<string> {
    await this.page.getByTestId('grid-create').click();
    return this.fillGrid(name, level);
  }

  async createChildGrid(parentCode: string, name: string, level: Level): Promise<string> {
    await this.selectGrid(parentCode);
    await this.page.getByTestId('grid-add-child').click();
    return this.fillGrid(name, level);
  }

  async selectGrid(code: string): Promise<void> {
    await this.gridNode(code).click();
    await expect(this.page.getByTestId('grid-details-code')).toHaveText(code);
  }

  details(): Locator {
    return this.page.getByTestId('grid-details');
  }
}
