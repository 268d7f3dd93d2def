import { ApiProperty } from '@nestjs/swagger';
import type { BrandingBody } from '../../contracts/api/branding';

/** GET /api/branding (OpenAPI shape of {@link BrandingBody}). */
export class BrandingDto implements BrandingBody {
  @ApiProperty({ example: 'KW Group', maxLength: 60 })
  name!: string;

  @ApiProperty({ example: '#1f4e8c', pattern: '^#[0-9a-f]{6}$' })
  primaryColor!: string;

  @ApiProperty({
    example: '#ffffff',
    enum: ['#ffffff', '#111827', '#000000'],
    description: 'The text colour with AA contrast on primaryColor',
  })
  onPrimaryColor!: string;

  @ApiProperty({ example: '#f2a900', pattern: '^#[0-9a-f]{6}$' })
  accentColor!: string;

  @ApiProperty({ example: '#111827', enum: ['#ffffff', '#111827', '#000000'] })
  onAccentColor!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '/api/branding/logo',
    description: 'BRAND_LOGO_URL, /api/branding/logo when a logo file is in DATA_DIR/brand, else null',
  })
  logoUrl!: string | null;
}
